"""Scheduled work: plan it as rows, perform each row once, then deliver the outbox.

APScheduler only ticks inside each process (its job store is not shared between replicas);
what is due lives in our tables. Planning is idempotent (unique (job, subject, due time)), and
performing takes one row at a time with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas
never perform the same run twice. A run and the messages it causes commit together; a crash
rolls both back and the run is picked up again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import Due
from bot.ports import Clock, Directory, RetryLater
from bot.replies import Delivery
from bot.runtime import digest, outbox
from bot.runtime.outbox import OutboxWorker
from retrospectives import schedules
from retrospectives.cycles import jobs as retro_jobs
from storage import core, retention, schedule
from storage.schedule import RunStatus

log = logging.getLogger(__name__)

Job = Callable[[AsyncSession, Due, Directory], Awaitable[Sequence[Delivery]]]

JOBS: Mapping[str, Job] = {
    retro_jobs.OPEN_JOB: retro_jobs.open_retro,
    retro_jobs.START_JOB: retro_jobs.open_retro,
    retro_jobs.REMIND_JOB: retro_jobs.remind,
    retro_jobs.CLOSE_JOB: retro_jobs.close,
    digest.JOB: digest.weekly,
}
GRACE = timedelta(hours=6)
"""Work missed by more than this (okrbot was down) is skipped and logged, not done late..."""
ALWAYS_RUN = frozenset({retro_jobs.CLOSE_JOB})
"""...except closing a retrospective: a deadline is kept, however late."""
FIRST_LOOK_BACK = timedelta(days=1)
LONGEST_LOOK_BACK = timedelta(days=7)
"""After a longer gap, work from before the last week is not even planned (one log line)."""
MAX_ATTEMPTS = 5
"""A run that fails this often (for reasons other than a platform's rate limit) is given up."""
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=30)
RATE_LIMITED_WAIT = timedelta(seconds=30)
"""How long a run waits after a rate limit that named no Retry-After."""
TICK_SECONDS = 30
RETENTION = timedelta(days=7)
"""How long the ledger and delivered messages are kept (OKRBOT_RETENTION_DAYS)."""
PURGE_EVERY = timedelta(hours=1)
"""The purge scans unindexed times: hourly is plenty for a retention counted in days."""
PLANNER = "default"
DIGEST_SCHEDULE = "weekly digest"


@dataclass(frozen=True, slots=True)
class TickReport:
    planned: int
    performed: int
    skipped: int
    delivered: int


class Scheduler:
    """Plans and performs scheduled work, then delivers what it wrote to the outbox."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        directories: Mapping[str, Directory],
        worker: OutboxWorker,
        *,
        grace: timedelta = GRACE,
        anonymity_min: int = 3,
        retention: timedelta = RETENTION,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._directories = directories
        self._worker = worker
        self._grace = grace
        self._retention = retention
        self._purged_at: datetime | None = None
        opening = functools.partial(retro_jobs.open_retro, anonymity_min=anonymity_min)
        self._jobs: Mapping[str, Job] = {
            **JOBS,
            retro_jobs.OPEN_JOB: opening,
            retro_jobs.START_JOB: opening,
        }
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._triggers: dict[tuple[str, str], schedules.Trigger | None] = {}

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Do everything that is due at ``now`` (default: the clock's time), once."""
        async with self._lock:
            moment = now or self._clock.now()
            await self.learn_lead_timezones()
            planned = await self.plan(moment)
            await self.tell_anonymous_concerns(moment)
            await self.purge(moment)
            performed, skipped = await self.perform_due(moment)
            delivered = await self._worker.deliver_due()
            return TickReport(planned, performed, skipped, delivered)

    async def catch_up(self) -> TickReport:
        """Perform runs already due (a /retro start, say) and deliver; plan nothing new.

        Cheap enough to run every second and after every event, between the planner's ticks.
        """
        async with self._lock:
            performed, skipped = await self.perform_due(self._clock.now())
            delivered = await self._worker.deliver_due()
            return TickReport(0, performed, skipped, delivered)

    async def plan(self, now: datetime) -> int:
        """Add a run for every opening and digest that fell due since the last planning."""
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
            added += await self._plan_openings(session, since, now)
            added += await self._plan_digests(session, since, now)
            await schedule.mark_planned(session, name=PLANNER, through=now)
        return added

    async def _plan_openings(self, session: AsyncSession, since: datetime, now: datetime) -> int:
        """Plan retrospective openings; teams are read only where their schedule fires."""
        added = 0
        for wanted, zone in await core.schedule_groups(session):
            trigger = self._trigger(wanted, zone, now)
            moments = schedules.fire_times(trigger, since, now) if trigger else []
            if not moments:
                continue
            for team, workspace in await core.scheduled_teams(
                session, schedule=wanted, timezone=zone
            ):
                for moment in moments:
                    if team.retro_schedule_set_at and moment <= team.retro_schedule_set_at:
                        continue  # the schedule was set after this moment
                    added += await schedule.plan(
                        session,
                        workspace_id=workspace.id,
                        job=retro_jobs.OPEN_JOB,
                        subject=f"team:{team.id}",
                        due_at=moment,
                        now=now,
                    )
        return added

    async def _plan_digests(self, session: AsyncSession, since: datetime, now: datetime) -> int:
        """Plan Monday digests; leads are read only when some timezone's Monday 09:00 came."""
        due: dict[str, list[datetime]] = {}
        for zone in await core.lead_timezones(session):
            trigger = self._trigger(DIGEST_SCHEDULE, zone, now)
            moments = schedules.fire_times(trigger, since, now) if trigger else []
            if moments:
                due[zone] = moments
        if not due:
            return 0
        added = 0
        seen: set[tuple[int, str]] = set()
        for lead, team, workspace in await core.all_leads(session):
            if (workspace.id, lead.user_id) in seen:
                continue  # a lead of several teams gets one digest, in their first team's time
            seen.add((workspace.id, lead.user_id))
            for moment in due.get(lead.timezone or team.timezone, []):
                if moment <= lead.added_at:
                    continue
                added += await schedule.plan(
                    session,
                    workspace_id=workspace.id,
                    job=digest.JOB,
                    subject=digest.subject(workspace.id, lead.user_id),
                    due_at=moment,
                    now=now,
                )
        return added

    async def tell_anonymous_concerns(self, now: datetime) -> None:
        """Write each team's morning notice of anonymous concerns to the outbox, once."""
        async with self._sessions() as session, session.begin():
            for workspace_id, delivery in await retro_jobs.concern_notices(session, now=now):
                await outbox.enqueue(session, workspace_id=workspace_id, delivery=delivery, now=now)

    async def purge(self, now: datetime) -> None:
        """Forget ledger rows and delivered messages older than the retention period."""
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        async with self._sessions() as session, session.begin():
            await retention.purge(session, before=now - self._retention)

    def _trigger(self, wanted: str, zone: str, now: datetime) -> schedules.Trigger | None:
        """The trigger for a schedule in a timezone, built once (triggers hold no state)."""
        key = (wanted, zone)
        if key not in self._triggers:
            try:
                if wanted == DIGEST_SCHEDULE:
                    self._triggers[key] = schedules.digest_trigger(zone)
                else:
                    # A schedule stored when the day fields were ANDed may now fire too often.
                    schedules.check_schedule(wanted, zone, now)
                    self._triggers[key] = schedules.retro_trigger(wanted, zone)
            except (ValueError, LookupError):
                log.error(
                    "cannot use the schedule %r in timezone %r (unreadable, or more often than "
                    "weekly in standard cron); not planning it",
                    wanted,
                    zone,
                )
                self._triggers[key] = None
        return self._triggers[key]

    async def perform_due(self, now: datetime) -> tuple[int, int]:
        """Perform every pending run due at ``now``; return (performed, skipped)."""
        performed = skipped = 0
        troubled: set[int] = set()
        while True:
            run_id: int | None = None
            try:
                async with self._sessions() as session, session.begin():
                    run = await schedule.take_next_due(
                        session,
                        now=now,
                        platforms=self._directories.keys(),
                        passing_over=troubled,
                    )
                    if run is None:
                        return performed, skipped
                    run_id = run.id
                    late = now - run.due_at
                    tried = run.attempts > 0 or run.retry_at is not None
                    if late > self._grace and run.job not in ALWAYS_RUN and not tried:
                        note = f"missed by {late}; okrbot was not running at {run.due_at}"
                        log.warning("skipped %s %s: %s", run.job, run.subject, note)
                        await schedule.finish(
                            session, run_id=run.id, status=RunStatus.SKIPPED, now=now, note=note
                        )
                        skipped += 1
                        continue
                    await self._perform(session, run, now)
                    performed += 1
            except RetryLater as wait:
                if run_id is None:
                    raise
                log.warning("scheduled run %s must wait: %s", run_id, wait)
                troubled.add(run_id)
                await self._postpone(run_id, now, wait)
            except Exception as error:
                if run_id is None:
                    raise
                log.exception("scheduled run %s failed; it will be tried again", run_id)
                troubled.add(run_id)
                await self._postpone(run_id, now, error)

    async def _perform(
        self, session: AsyncSession, run: schedule.ScheduledRun, now: datetime
    ) -> None:
        workspace = await session.get(core.Workspace, run.workspace_id)
        job = self._jobs.get(run.job)
        if workspace is None or job is None:
            note = f"cannot perform {run.job}: no such job"
            log.error("scheduled run %s: %s", run.id, note)
            await schedule.finish(
                session, run_id=run.id, status=RunStatus.FAILED, now=now, note=note
            )
            return
        due = Due(
            job=run.job,
            subject=run.subject,
            due_at=run.due_at,
            now=now,
            workspace_id=workspace.id,
            platform=workspace.platform,
            workspace_external_id=workspace.external_id,
        )
        directory = self._directories[workspace.platform]  # only runs of these are taken
        for delivery in await job(session, due, directory):
            await outbox.enqueue(session, workspace_id=workspace.id, delivery=delivery, now=now)
        await schedule.finish(session, run_id=run.id, status=RunStatus.DONE, now=now, note=None)

    async def _postpone(self, run_id: int, now: datetime, error: Exception) -> None:
        """Try a failed run again later: when a rate limit says, else after a growing wait."""
        async with self._sessions() as session, session.begin():
            if isinstance(error, RetryLater):  # the platform's pace, not a failure: not counted
                wait = timedelta(seconds=error.retry_after or RATE_LIMITED_WAIT.total_seconds())
                await schedule.postpone(
                    session, run_id=run_id, until=now + wait, counted=False, note=str(error)
                )
                return
            run = await session.get(schedule.ScheduledRun, run_id)
            attempts = (run.attempts if run is not None else 0) + 1
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

    async def learn_lead_timezones(self, limit: int = 50) -> None:
        """Ask the platform once for the timezone of each new lead, for their Monday digest."""
        async with self._sessions() as session:
            unknown = await core.leads_without_timezone(
                session, platforms=self._directories.keys(), limit=limit
            )
        for team_id, user_id, platform, workspace_external_id in unknown:
            try:
                zone = await self._directories[platform].user_timezone(
                    workspace_external_id, user_id
                )
            except Exception:
                log.warning("could not read the timezone of a lead; trying again later")
                continue
            async with self._sessions() as session, session.begin():
                await core.set_lead_timezone(
                    session, team_id=team_id, user_id=user_id, timezone=_valid_zone(zone)
                )

    def start(self) -> None:
        """Tick every half minute inside this process's event loop."""
        self._aps = AsyncIOScheduler()
        self._aps.add_job(
            self.tick,
            "interval",
            seconds=TICK_SECONDS,
            max_instances=1,
            coalesce=True,
            next_run_time=self._clock.now(),
        )
        self._aps.start()

    def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None


def retry_wait(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, never more than half an hour."""
    doubled: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(doubled, LONGEST_RETRY)


def _valid_zone(zone: str | None) -> str:
    """The zone if it is a known IANA name, else "" (asked, and unknown: use the team's)."""
    if not zone:
        return ""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return zone
