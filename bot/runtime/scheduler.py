"""Scheduled work: plan it as rows, perform each row once.

APScheduler only ticks inside each process (its job store is not shared between replicas);
what is due lives in our tables. The scheduler knows no job of its own: each domain declares
its jobs as ``JobSpec``s (name, typed subject, planner, prepare and perform steps, policy), and
the scheduler asks their planners what fell due, then performs the runs.

Planning is idempotent (unique (job, subject, due time)). Performing a run asks the platform
what it needs first (``prepare``, outside any transaction), then takes the run in a
transaction with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional write, so replicas
never perform the same run twice. A run and the messages it causes commit together; a crash
rolls both back and the run is picked up again. Delivering those messages is the outbox
loop's work, not the scheduler's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import JobSpec
from bot.ports import Clock, Directory, Meter
from bot.runtime import performing
from bot.runtime import together as together_
from bot.runtime.upkeep import Chore
from storage import retention, schedule

log = logging.getLogger(__name__)

FIRST_LOOK_BACK = timedelta(days=1)
LONGEST_LOOK_BACK = timedelta(days=7)
"""After a longer gap, work from before the last week is not even planned (one log line)."""
TICK_SECONDS = 30
RETENTION = timedelta(days=7)
"""How long the ledger and delivered messages are kept (OKRBOT_RETENTION_DAYS)."""
PURGE_EVERY = timedelta(hours=1)
"""The purge scans unindexed times: hourly is plenty for a retention counted in days."""
PLANNER = "default"


@dataclass(frozen=True, slots=True)
class TickReport:
    planned: int
    performed: int
    skipped: int
    delivered: int = 0


class Scheduler:
    """Plans the runs the jobs' planners find due, and performs the runs that are due."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        directories: Mapping[str, Directory],
        jobs: Sequence[JobSpec[AsyncSession, Any, Any]],
        *,
        meter: Meter,
        chores: Sequence[Chore] = (),
        grace: timedelta = performing.GRACE,
        retention: timedelta = RETENTION,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._jobs = {job.name: job for job in jobs}
        self._chores = chores
        self._retention = retention
        self._purged_at: datetime | None = None
        self._performer = performing.Performer(
            sessions, directories, self._jobs, meter=meter, grace=grace
        )
        self._lock = asyncio.Lock()
        self._aps: Any = None  # APScheduler's AsyncIOScheduler, once started

    def after_each_run(self, committed: Callable[[], None]) -> None:
        """Call ``committed`` as soon as each performed run has committed its messages."""
        self._performer.after_each_run(committed)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Do everything that is due at ``now`` (default: the clock's time), once."""
        async with self._lock:
            moment = now or self._clock.now()
            for chore in self._chores:
                await chore(moment)
            planned = await self.plan(moment)
            await self.purge(moment)
            performed, skipped = await self._performer.perform_due(moment)
            return TickReport(planned, performed, skipped)

    async def catch_up(self) -> TickReport:
        """Perform runs already due (a /retro start, say); plan nothing new.

        Cheap enough to run every second and after every event, between the planner's ticks.
        """
        async with self._lock:
            performed, skipped = await self._performer.perform_due(self._clock.now())
            return TickReport(0, performed, skipped)

    async def perform_due(
        self, now: datetime, *, together: int = together_.TOGETHER
    ) -> tuple[int, int]:
        """Perform every pending run due at ``now``; return (performed, skipped).

        A job's runs that can be performed together go up to ``together`` a transaction.
        """
        return await self._performer.perform_due(now, together=together)

    async def plan(self, now: datetime) -> int:
        """Add a run for everything the jobs' planners say fell due since the last planning."""
        added = 0
        async with self._sessions() as session, session.begin():
            since = await schedule.planned_through(
                session, name=PLANNER, default=now - FIRST_LOOK_BACK
            )
            if since >= now:
                return 0
            if now - since > LONGEST_LOOK_BACK:
                log.warning(
                    "okrbot did no scheduled work from %s to %s; work due before %s is dropped",
                    since.isoformat(),
                    now.isoformat(),
                    (now - LONGEST_LOOK_BACK).isoformat(),
                )
                since = now - LONGEST_LOOK_BACK
            for job in self._jobs.values():
                if job.plan is None:
                    continue
                for run in await job.plan(session, since, now):
                    added += await schedule.plan(
                        session,
                        workspace_id=run.workspace_id,
                        job=job.name,
                        subject=job.subject_key(run.subject),
                        due_at=run.due_at,
                        now=now,
                    )
            await schedule.mark_planned(session, name=PLANNER, through=now)
        return added

    async def purge(self, now: datetime) -> None:
        """Forget ledger rows and delivered messages older than the retention period."""
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        async with self._sessions() as session, session.begin():
            await retention.purge(session, before=now - self._retention)

    def start(self) -> None:
        """Tick every half minute inside this process's event loop."""
        # Loaded here: `okrbot run-due` ticks without it, and `okrbot serve` after its start.
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._aps = AsyncIOScheduler()
        self._aps.add_job(
            self.tick,
            "interval",
            seconds=TICK_SECONDS,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # a tick late on a busy process runs late, never skipped
            next_run_time=self._clock.now(),
        )
        self._aps.start()

    async def stop(self, *, within: float = 5.0) -> None:
        """Stop ticking; a tick under way may finish first, for up to ``within`` seconds.

        APScheduler's own shutdown cancels a running tick at once: its transaction cut off,
        and the cancellation logged as the job's error on every stop that meets a tick.
        """
        if self._aps is None:
            return
        aps, self._aps = self._aps, None
        aps.pause()  # no new tick starts
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within), self._lock:  # the tick under way has ended
                pass
        aps.shutdown(wait=False)
