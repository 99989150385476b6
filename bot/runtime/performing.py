"""Performing scheduled runs: take one, ask the platform, do it, or try again later.

A run is first found in a short read, then its job's ``prepare`` asks the platform what it
needs (the channel's members, say) with no transaction open, so nothing the database holds
waits on the network. Runs due together (a quarterly opening of every team at 10:00) are
found a few at a time and their platforms asked at once; each is performed as soon as its
answer is in, one by one in the order they fell due, and commits (waking the outbox) at once.

A run is taken for good in the transaction that performs it: locked (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) and moved on by a conditional write, so a run another replica took
meanwhile is passed over, and its effects and messages commit with it. Runs of a job that
performs them together (a Monday's digests) go many a transaction (``bot.runtime.together``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import JobSpec
from bot.events import Due
from bot.ports import Directory, Meter, RetryLater
from bot.runtime import outbox
from bot.runtime import together as together_
from storage import schedule
from storage.core import Workspace
from storage.schedule import RunStatus

log = logging.getLogger(__name__)

GRACE = timedelta(hours=6)
"""Work missed by more than this (okrbot was down) is skipped and logged, not done late,
unless its job says it always runs (closing a retrospective: a deadline is kept)."""
MAX_ATTEMPTS = 5
"""A run that fails this often (for reasons other than a platform's rate limit) is given up."""
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=30)
RATE_LIMITED_WAIT = timedelta(seconds=30)
"""How long a run waits after a rate limit that named no Retry-After."""
PREPARED_AT_ONCE = 8
"""Due runs whose platforms are asked at the same time (Slack's member lists, say)."""

Job = JobSpec[AsyncSession, Any, Any]


@dataclass(frozen=True, slots=True)
class _Found:
    """A due run as the short read found it, with its job and typed subject if readable."""

    run_id: int
    job: Job | None
    due: Due[Any] | None
    late: timedelta
    tried: bool
    label: str
    due_at: datetime


class Performer:
    """Performs every due run of the platforms this process reaches, each once."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        directories: Mapping[str, Directory],
        jobs: Mapping[str, Job],
        *,
        meter: Meter,
        grace: timedelta = GRACE,
    ) -> None:
        self._sessions = sessions
        self._meter = meter
        self._directories = directories
        self._jobs = jobs
        self._grace = grace
        self._committed: list[Callable[[], None]] = []

    def after_each_run(self, committed: Callable[[], None]) -> None:
        """Call ``committed`` as soon as each run and its messages have committed.

        The outbox loop's wake: a fan-out's first team's prompts leave while later teams open.
        """
        self._committed.append(committed)

    async def perform_due(
        self, now: datetime, *, together: int = together_.TOGETHER
    ) -> tuple[int, int]:
        """Perform every pending run due at ``now``; return (performed, skipped).

        Runs of a job that performs them together go up to ``together`` a transaction (1:
        each alone, as every other run).
        """
        performed = skipped = 0
        after: tuple[datetime, int] | None = None
        while found := await self._find(now, after, limit=max(together, PREPARED_AT_ONCE)):
            # Done, failed or postponed: not again in this pass, which goes on after them.
            after = found[-1].due_at, found[-1].run_id
            for name, group in together_.groups(
                found,
                together=together,
                job_of=lambda f: self._together(f, together),
                alone=PREPARED_AT_ONCE,
            ):
                if name is not None and (done := await self._perform_together(group, now)) >= 0:
                    performed += done
                    continue
                each_performed, each_skipped = await self._perform_each(group, now)
                performed += each_performed
                skipped += each_skipped
        return performed, skipped

    def _together(self, found: _Found, together: int) -> str | None:
        """The job's name if this run is performed together with others of its job."""
        job = found.job
        if together < 2 or job is None or found.due is None or job.perform_together is None:
            return None
        return None if self._skipped(found) else job.name

    async def _perform_together(self, group: list[_Found], now: datetime) -> int:
        """Perform one job's runs in one transaction: how many; -1 if it failed (then each
        is performed alone)."""
        job = group[0].job
        assert job is not None
        runs = [(f.run_id, f.due) for f in group if f.due is not None]
        try:
            ids = set(await together_.perform(self._sessions, job, runs, now))
        except Exception:
            log.exception(
                "%d runs of %s failed together; performing each alone", len(runs), job.name
            )
            return -1
        for each in group:
            if each.run_id in ids:
                self._meter.run_performed(job.name, each.late.total_seconds())
        if ids:
            for committed in self._committed:
                committed()
        return len(ids)

    async def _perform_each(self, found: list[_Found], now: datetime) -> tuple[int, int]:
        """Perform runs one by one, a transaction each; return (performed, skipped)."""
        performed = skipped = 0
        # Every run's platform is asked at once; each is performed as soon as its own
        # answer is in (in the order they fell due), not after the slowest answer.
        asking = [asyncio.ensure_future(self._prepare(f)) for f in found]
        try:
            for each, asked in zip(found, asking, strict=True):
                outcome = await self._perform(each, now, asked)
                performed += outcome == RunStatus.DONE
                skipped += outcome == RunStatus.SKIPPED
        finally:
            for asked in asking:
                asked.cancel()
            await asyncio.gather(*asking, return_exceptions=True)
        return performed, skipped

    async def _perform(
        self, found: _Found, now: datetime, asked: asyncio.Future[Any]
    ) -> RunStatus | None:
        """Perform one run with its platform's answer, or postpone it if either failed."""
        try:
            return await self._run(found, now, await asked)
        except RetryLater as wait:
            log.warning("scheduled run %s must wait: %s", found.run_id, wait)
            await self._postpone(found.run_id, now, wait)
        except Exception as error:
            log.exception("scheduled run %s failed; it will be tried again", found.run_id)
            await self._postpone(found.run_id, now, error)
        return None

    async def _find(
        self, now: datetime, after: tuple[datetime, int] | None, *, limit: int
    ) -> list[_Found]:
        """The oldest due runs (``limit``) after ``after``, read without taking them."""
        async with self._sessions() as session, session.begin():
            found = await schedule.due_runs(
                session,
                now=now,
                platforms=self._directories.keys(),
                after=after,
                limit=limit,
            )
        return [self._read(run, workspace, now) for run, workspace in found]

    def _read(self, run: schedule.ScheduledRun, workspace: Workspace, now: datetime) -> _Found:
        job = self._jobs.get(run.job)
        subject = job.read_subject(run.subject) if job is not None else None
        due = None
        if subject is not None:
            due = Due(
                job=run.job,
                subject=subject,
                due_at=run.due_at,
                now=now,
                workspace_id=workspace.id,
                platform=workspace.platform,
                workspace_external_id=workspace.external_id,
            )
        return _Found(
            run_id=run.id,
            job=job,
            due=due,
            late=now - run.due_at,
            tried=run.attempts > 0 or run.retry_at is not None,
            label=f"{run.job} {run.subject}",
            due_at=run.due_at,
        )

    def _skipped(self, found: _Found) -> bool:
        """Whether a run is missed by too long to be done late (and was never tried)."""
        job = found.job
        return (
            job is not None and found.late > self._grace and not job.always_run and not found.tried
        )

    async def _prepare(self, found: _Found) -> Any:
        """Ask the platform what the run needs, with no transaction open; None if nothing."""
        job, due = found.job, found.due
        if job is None or due is None or job.prepare is None or self._skipped(found):
            return None
        return await job.prepare(self._sessions.begin, due, self._directories[due.platform])

    async def _run(self, found: _Found, now: datetime, prepared: Any) -> RunStatus | None:
        """Skip, refuse or perform one run; None when another replica took it first."""
        job, due = found.job, found.due
        if job is None or due is None:
            note = f"cannot perform {found.label}: no such job or subject"
            log.error("scheduled run %s: %s", found.run_id, note)
            return await self._finish(found.run_id, RunStatus.FAILED, now, note)
        if self._skipped(found):
            note = f"missed by {found.late}; okrbot was not running at {due.due_at}"
            log.warning("skipped %s: %s", found.label, note)
            return await self._finish(found.run_id, RunStatus.SKIPPED, now, note)
        async with self._sessions() as session, session.begin():
            if not await schedule.take(session, run_id=found.run_id, now=now):
                return None
            deliveries = await job.perform(session, due, prepared)
            await outbox.enqueue_many(
                session, deliveries=[(due.workspace_id, d) for d in deliveries], now=now
            )
            await schedule.finish(
                session, run_id=found.run_id, status=RunStatus.DONE, now=now, note=None
            )
        self._meter.run_performed(job.name, found.late.total_seconds())
        for committed in self._committed:
            committed()
        return RunStatus.DONE

    async def _finish(
        self, run_id: int, status: RunStatus, now: datetime, note: str
    ) -> RunStatus | None:
        async with self._sessions() as session, session.begin():
            if not await schedule.take(session, run_id=run_id, now=now):
                return None
            await schedule.finish(session, run_id=run_id, status=status, now=now, note=note)
        return status

    async def _postpone(self, run_id: int, now: datetime, error: Exception) -> None:
        """Try a failed run again later: when a rate limit says, else after a growing wait."""
        async with self._sessions() as session, session.begin():
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
