"""What the Slack and Teams rigs share: okrbot served over real HTTP, a fake platform beside it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.entry.app import build
from bot.entry.server import Server, create_server
from bot.entry.settings import Settings
from tests.support.fake_server import FakeServer

F = TypeVar("F", bound=FakeServer[Any])


@dataclass
class Answer:
    """What okrbot's server answered one request."""

    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


async def serve(
    settings: Settings, clock: ManualClock, **options: Any
) -> tuple[Server, TestClient[Any, Any]]:
    """Build okrbot from ``settings`` and serve it on a free port, with a client to call it."""
    okrbot = await build(settings, clock=clock, migrate=False)
    server = create_server(okrbot, **options)
    client: TestClient[Any, Any] = TestClient(TestServer(server.web_app, host="127.0.0.1"))
    await client.start_server()
    return server, client


@dataclass
class HttpRig(Generic[F]):
    """okrbot behind its HTTP server, a fake platform at its edge and a clock moved by hand."""

    fake: F
    server: Server
    client: TestClient[Any, Any]
    clock: ManualClock

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()
        await self.server.stop()
        await self.server.okrbot.close()
        await self.fake.close()

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.server.okrbot.sessions

    async def handle_inbox(self) -> int:
        """Handle the events kept in the inbox, as the server's worker would."""
        return await self.server.okrbot.inbox.drain()

    async def settle(self) -> None:
        """Wait for the events kept in the inbox to be handled, and the replies sent after."""
        await self.handle_inbox()
        await self.server.background.drain()

    async def deliver(self) -> int:
        return await self.server.okrbot.outbox.deliver_due()
