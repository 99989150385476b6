"""The composition root: the only module that knows every part and wires them together."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import migrations
from adapters.console import CONSOLE
from bot.admin import report_links
from bot.clock import SystemClock
from bot.entry.metrics import Metrics
from bot.entry.platforms import PLATFORMS, Registered, pagers
from bot.entry.settings import Settings
from bot.events import Apply
from bot.ports import ChatPort, Clock, Directory, EventHandler
from bot.ports.platform import Connected, Offered
from bot.runtime import digest, outbox, router, upkeep
from bot.runtime.delivery import OutboxWorker
from bot.runtime.inbox import InboxWorker
from bot.runtime.intake import Intake
from bot.runtime.loops import Loop
from bot.runtime.members import SeenMembers
from bot.runtime.scheduler import Scheduler, TickReport
from bot.runtime.units import EventUnit
from retrospectives.adaptations import jobs as adaptation_jobs
from retrospectives.cycles import jobs as retro_jobs
from retrospectives.okrs.concerns import escalation as concern_escalation
from storage import ledger
from storage.engine import create_engine, session_factory

Spawn = Callable[[Coroutine[Any, Any, None]], None]


@dataclass
class Connections:
    """The platforms connected, by name."""

    connected: dict[str, Connected]

    async def start(self, *, socket: bool = False) -> bool:
        """Start each platform's background work; ``socket``: whether one opened its own
        connection for events (``okrbot serve --socket-mode``)."""
        opened = [await connection.start(socket=socket) for connection in self.connected.values()]
        return any(opened)

    async def stop(self) -> None:
        for connection in self.connected.values():
            await connection.stop()

    async def close(self) -> None:
        for connection in self.connected.values():
            await connection.close()


@dataclass
class Okrbot:
    """A running okrbot: its database, its event handler and its outbox."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    handle: EventUnit
    outbox: OutboxWorker
    scheduler: Scheduler
    metrics: Metrics
    intake: Intake
    inbox: InboxWorker
    platforms: Sequence[Registered] = PLATFORMS  # the platforms it may connect
    ports: dict[str, ChatPort] = field(default_factory=dict)
    appliers: dict[str, Apply] = field(default_factory=dict)  # the inbox's, by platform
    directories: dict[str, Directory] = field(default_factory=dict)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One pass, as ``okrbot run-due`` does it: the scheduler's tick, then the outbox."""
        report = await self.scheduler.tick(now)
        return replace(report, delivered=await self.outbox.deliver_due())

    async def catch_up(self) -> TickReport:
        """Perform the runs already due (a /retro start, say), then deliver the outbox."""
        report = await self.scheduler.catch_up()
        return replace(report, delivered=await self.outbox.deliver_due())

    def loops(
        self, *, interval: float, delivered: Callable[[int], None] | None = None
    ) -> tuple[Loop, Loop]:
        """The outbox loop, and the loop that performs runs as soon as they are due.

        Wake the second after an event (it may have made work due now, or written messages):
        it performs what is due. Each run that commits wakes the outbox loop at once, so a
        fan-out's first team's prompts leave while the next teams open, whichever loop or tick
        performed the run; when it performed none, it wakes the outbox loop itself.
        """

        async def deliver() -> None:
            sent = await self.outbox.deliver_due()
            if delivered is not None:
                delivered(sent)

        outbox = Loop("outbox loop", deliver, interval)
        self.scheduler.after_each_run(outbox.wake)

        async def perform() -> None:
            report = await self.scheduler.catch_up()
            if not report.performed:  # each run performed has woken it already
                outbox.wake()  # the event that woke this loop may have written messages itself

        return outbox, Loop("loop that performs due runs", perform, interval)

    def connect(
        self,
        *,
        serving: bool = False,
        handle: EventHandler | None = None,
        spawn: Callable[[str], Spawn] | None = None,
        pacing: Mapping[str, float] | None = None,
    ) -> Connections:
        """Connect every configured platform of its list: its port for the outbox
        and its directory for the scheduler, and with ``serving`` its HTTP edge, which hands
        events to ``handle`` and work after an ack to ``spawn(platform)``."""
        connected: dict[str, Connected] = {}
        for platform in self.platforms:
            settings = self.settings.of(platform)
            if not platform.configured(settings):
                continue
            offered = Offered(
                database=self.sessions,
                clock=self.clock,
                handle=handle or self.handle,
                spawn=spawn(platform.name) if spawn else _nowhere,
                command_words=router.COMMAND_WORDS,
                pacing=(pacing or {}).get(platform.name),
                enqueue=self.intake if serving else None,
            )
            connection = platform.connect(settings, offered, serving=serving)
            self.ports[platform.name] = connection.port
            self.directories[platform.name] = connection.directory
            if connection.apply is not None:  # what its edge keeps, the inbox's worker handles
                self.appliers[platform.name] = connection.apply
            connected[platform.name] = connection
        return Connections(connected)

    async def close(self) -> None:
        await self.intake.close()
        await self.engine.dispose()


def _nowhere(work: Coroutine[Any, Any, None]) -> None:
    work.close()
    raise RuntimeError("a process that serves no requests has no work after an ack")


async def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ports: Mapping[str, ChatPort] | None = None,
    directories: Mapping[str, Directory] | None = None,
    migrate: bool = True,
    platforms: Sequence[Registered] = PLATFORMS,
) -> Okrbot:
    """Open the database (bringing its schema up to date) and wire the core to the platforms
    (``platforms``: those of ``bot.entry.platforms`` unless told)."""
    engine = create_engine(settings.database_url)
    if migrate:
        try:
            await migrations.upgrade(engine)
        except BaseException:
            await engine.dispose()  # no connection (nor aiosqlite's thread) outlives the failure
            raise
    sessions = session_factory(
        engine,
        info={
            ledger.EVENT_KEY: ledger.event_key(settings.secret_key),
            outbox.PAGERS: pagers(platforms),
        },
    )
    clock = clock or SystemClock()
    chat_ports = dict(ports or {})
    # The console has no member list to ask: its members are the people seen in a channel.
    people: dict[str, Directory] = {CONSOLE: SeenMembers(sessions, CONSOLE)}
    people.update(directories or {})
    metrics = Metrics()  # this okrbot's own registry: two in one process never mix counts
    worker = OutboxWorker(
        sessions,
        clock,
        chat_ports,
        meter=metrics,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        heartbeat=timedelta(seconds=settings.outbox_heartbeat_seconds) or None,
    )
    appliers: dict[str, Apply] = {}
    inbox = InboxWorker(
        sessions,
        clock,
        appliers,
        lease=timedelta(seconds=settings.inbox_lease_seconds),
        on_handled=metrics.inbox_handled,
        on_dead=metrics.inbox_dead,
    )
    return Okrbot(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        handle=EventUnit(sessions, clock, router.route, meter=metrics),
        outbox=worker,
        scheduler=Scheduler(
            sessions,
            clock,
            people,
            [
                *retro_jobs.specs(anonymity_min=settings.anonymity_min),
                *adaptation_jobs.specs(),
                digest.spec(),
                concern_escalation.spec(),
            ],
            meter=metrics,
            chores=[
                *upkeep.chores(sessions, people),
                *report_links.chores(
                    sessions, public_url=settings.public_url, keys=settings.secret_keys
                ),
            ],
            retention=timedelta(days=settings.retention_days),
        ),
        metrics=metrics,
        intake=Intake(engine, clock),
        inbox=inbox,
        platforms=platforms,
        ports=chat_ports,
        directories=people,
        appliers=appliers,
    )
