"""A scheduled run that failed is tried again later, and given up after a few failures.

A platform's rate limit is a delay, not a failure: the run waits as long as it was told and
the attempt is not counted. Any other failure counts, and the run waits longer each time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ports import RetryLater
from storage import schedule
from storage.schedule import RunStatus

MAX_ATTEMPTS = 5
"""A run that fails this often (for reasons other than a platform's rate limit) is given up."""
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=30)
RATE_LIMITED_WAIT = timedelta(seconds=30)
"""How long a run waits after a rate limit that named no Retry-After."""


async def postpone(
    sessions: async_sessionmaker[AsyncSession], run_id: int, now: datetime, error: Exception
) -> None:
    """Try a failed run again later: when a rate limit says, else after a growing wait."""
    async with sessions() as session, session.begin():
        if isinstance(error, RetryLater):  # the platform's pace, not a failure: not counted
            wait = timedelta(seconds=error.retry_after or RATE_LIMITED_WAIT.total_seconds())
            await schedule.postpone(
                session, run_id=run_id, until=now + wait, counted=False, note=str(error)
            )
            return
        run = await session.get(schedule.ScheduledRun, run_id, with_for_update=True)
        if run is None or run.status != RunStatus.PENDING:
            return  # another replica performed it while this one was asking the platform
        attempts = run.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await schedule.finish(
                session,
                run_id=run_id,
                status=RunStatus.FAILED,
                now=now,
                note=f"gave up after {attempts} attempts: {type(error).__name__}",
            )
            return
        await schedule.postpone(
            session,
            run_id=run_id,
            until=now + retry_wait(attempts),
            counted=True,
            note=type(error).__name__,
        )


def retry_wait(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, never more than half an hour."""
    doubled: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(doubled, LONGEST_RETRY)
