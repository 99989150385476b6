"""Performing scheduled runs: take one, ask the platform, do it, or try again later.

A run is first found in a short read, then its job's ``prepare`` asks the platform what it
needs (the channel's members, say) with no transaction open, so nothing the database holds
waits on the network. Runs due together (a quarterly opening of every team at 10:00) are
found a few dozen at a time and their platforms asked at once; as soon as the first in line
is answered, it is performed with every other answered by then, in one transaction
(``bot.runtime.ready``), which commits (waking the outbox) at once.

A run is taken for good in the transaction that performs it: locked (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) and moved on by a conditional write, so a run another replica took
meanwhile is passed over, and its effects and messages commit with it. Runs of a job that
performs them together (a Monday's digests) go many a transaction (``bot.runtime.together``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import JobSpec
from bot.events import Due
from bot.ports import Directory, Meter, RetryLater
from bot.runtime import outbox, retrying
from bot.runtime import ready as ready_
from bot.runtime import together as together_
from storage import schedule
from storage.core import Workspace
from storage.schedule import RunStatus

log = logging.getLogger(__name__)

GRACE = timedelta(hours=6)
"""Work missed by more than this (okrbot was down) is skipped and logged, not done late,
unless its job says it always runs (closing a retrospective: a deadline is kept)."""
PREPARED_AT_ONCE = 32
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
        self._first = True  # no transaction of answered runs yet in this pass

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
        self._first = True
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
                each_performed, each_skipped = await self._perform_each(group, now, together)
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
        """Perform one job's runs in one transaction: how many; -1 if it failed."""
        job = group[0].job
        assert job is not None
        runs = [(f.run_id, f.due) for f in group if f.due is not None]
        lateness = {f.run_id: (job.name, f.late) for f in group}
        return await self._performed(together_.perform(self._sessions, job, runs, now), lateness)

    async def _performed(
        self, performing: Awaitable[list[int]], runs: dict[int, tuple[str, timedelta]]
    ) -> int:
        """Await runs performed in one transaction (``runs``: each one's job and lateness):
        how many; -1 if it failed, and then each is performed alone."""
        try:
            ids = set(await performing)
        except Exception:
            log.exception("%d runs failed together; performing each alone", len(runs))
            return -1
        for run_id in ids:
            name, late = runs[run_id]
            self._meter.run_performed(name, late.total_seconds())
        if ids:
            for committed in self._committed:
                committed()
        return len(ids)

    async def _perform_each(
        self, found: list[_Found], now: datetime, together: int
    ) -> tuple[int, int]:
        """Perform runs as their platforms answer (see the module); (performed, skipped)."""
        performed = skipped = 0
        asking: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._prepare(f)) for f in found]
        waiting = list(zip(found, asking, strict=True))
        try:
            while waiting:
                done = set(await ready_.answered([asked for _, asked in waiting]))
                answered = [w for position, w in enumerate(waiting) if position in done]
                waiting = [w for position, w in enumerate(waiting) if position not in done]
                each_performed, each_skipped = await self._perform_answered(answered, now, together)
                performed += each_performed
                skipped += each_skipped
        finally:
            for asked in asking:
                asked.cancel()
            await asyncio.gather(*asking, return_exceptions=True)
        return performed, skipped

    async def _perform_answered(
        self, answered: list[tuple[_Found, asyncio.Future[Any]]], now: datetime, together: int
    ) -> tuple[int, int]:
        """Runs whose platforms answered: together where they can be, else each alone."""
        performed = skipped = 0
        group: list[ready_.Ready] = []
        alone: list[tuple[_Found, asyncio.Future[Any]]] = []
        for each, asked in answered:
            job, due = each.job, each.due
            if together > 1 and job and due and not self._skipped(each) and not asked.exception():
                group.append(ready_.Ready(each.run_id, job, due, asked.result()))
            else:  # a failed answer is postponed, a skipped or unreadable run finished, alone
                alone.append((each, asked))
        by_id = {each.run_id: (each, asked) for each, asked in answered}
        for chunk in ready_.chunks(group, together, first=self._first):
            self._first = False
            lateness = {run.run_id: (run.job.name, now - run.due.due_at) for run in chunk}
            if (
                done := await self._performed(ready_.perform(self._sessions, chunk, now), lateness)
            ) >= 0:
                performed += done
            else:
                alone += [by_id[run.run_id] for run in chunk]
        for each, asked in alone:
            outcome = await self._perform(each, now, asked)
            performed += outcome == RunStatus.DONE
            skipped += outcome == RunStatus.SKIPPED
        return performed, skipped

    async def _perform(
        self, found: _Found, now: datetime, asked: asyncio.Future[Any]
    ) -> RunStatus | None:
        """Perform one run with its platform's answer, or postpone it if either failed."""
        try:
            return await self._run(found, now, await asked)
        except RetryLater as wait:
            log.warning("scheduled run %s must wait: %s", found.run_id, wait)
            await retrying.postpone(self._sessions, found.run_id, now, wait)
        except Exception as error:
            log.exception("scheduled run %s failed; it will be tried again", found.run_id)
            await retrying.postpone(self._sessions, found.run_id, now, error)
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
