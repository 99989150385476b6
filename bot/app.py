"""The composition root: the only module that knows every part and wires them together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import migrations
from bot import router
from bot.clock import SystemClock
from bot.outbox import OutboxWorker
from bot.ports import ChatPort, Clock
from bot.settings import Settings
from bot.units import EventUnit
from storage.engine import create_engine, session_factory


@dataclass
class Okrbot:
    """A running okrbot: its database, its event handler and its outbox."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    handle: EventUnit
    outbox: OutboxWorker
    ports: dict[str, ChatPort] = field(default_factory=dict)

    async def close(self) -> None:
        await self.engine.dispose()


async def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ports: Mapping[str, ChatPort] | None = None,
    migrate: bool = True,
) -> Okrbot:
    """Open the database (bringing its schema up to date) and wire the core to the platforms."""
    engine = create_engine(settings.database_url)
    if migrate:
        await migrations.upgrade(engine)
    sessions = session_factory(engine)
    clock = clock or SystemClock()
    chat_ports = dict(ports or {})
    return Okrbot(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        handle=EventUnit(sessions, clock, router.route),
        outbox=OutboxWorker(sessions, clock, chat_ports),
        ports=chat_ports,
    )
