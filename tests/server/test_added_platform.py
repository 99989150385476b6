"""A platform added in one place: "echo", defined whole in this module and put in the list
with one line, is served by the real server, reaches the core, answers through its own port,
reads its own environment variable and shows its finding in `okrbot doctor`."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import ManualClock
from bot.entry import doctor
from bot.entry.app import build
from bot.entry.platforms import PLATFORMS
from bot.entry.server import create_server
from bot.entry.settings import Settings
from bot.events import ChatEvent, EventKind, Platform
from bot.ports.platform import Checkup, HttpRoute, Level, Offered
from retrospectives import texts
from storage.core import Team, Workspace
from tests.support.fakes import FakeChatPort, FakeDirectory
from tests.support.rows import count
from tests.support.times import START
from tests.support.transcripts import shows

ECHO = Platform("echo")
EVENTS_PATH = "/echo/events"


@dataclass(frozen=True)
class EchoSettings:
    token: str = field(default="", repr=False)  # ECHO_TOKEN: what callers must present


@dataclass
class EchoConnected:
    """Echo connected: a port that records what it sends, a directory, one route."""

    offered: Offered[Any]
    token: str
    port: FakeChatPort = field(default_factory=FakeChatPort)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    apply: None = None

    def routes(self) -> Sequence[HttpRoute]:
        return (HttpRoute("POST", EVENTS_PATH, self.on_event, acked=True),)

    async def on_event(self, request: web.Request) -> web.Response:
        said = await request.json()
        if said.get("token") != self.token:
            return web.Response(status=401)
        event = ChatEvent(
            platform=ECHO,
            workspace_id="E1",
            channel_id=said["channel"],
            user_id=said["user"],
            kind=EventKind.COMMAND,
            occurred_at=datetime.fromtimestamp(said["at"], UTC),
            text=said["text"],
            event_id=said["id"],
        )
        outcome = await self.offered.handle(event)
        for reply in outcome.replies:
            await self.port.send(event.workspace_id, event.channel_id, reply)
        return web.json_response({"replies": len(outcome.replies)})

    def readiness(self) -> str | None:
        return None

    async def start(self, *, socket: bool) -> bool:
        return False

    async def stop(self) -> None:
        return None

    async def close(self) -> None:
        return None


class EchoPlatform:
    name = ECHO

    def read(self, values: Mapping[str, str]) -> EchoSettings:
        return EchoSettings(values.get("ECHO_TOKEN", "").strip())

    def secrets(self, settings: EchoSettings) -> Sequence[str]:
        return (settings.token,)

    def pages(self, reply: Any) -> Sequence[Any]:
        return (reply,)

    def configured(self, settings: EchoSettings) -> bool:
        return bool(settings.token)

    def unserved(self) -> Sequence[HttpRoute]:
        async def off(_request: web.Request) -> web.Response:
            return web.Response(status=404, text="echo is not configured")

        return (HttpRoute("POST", EVENTS_PATH, off, acked=True),)

    def connect(self, settings: EchoSettings, offered: Offered[Any], *, serving: bool) -> Any:
        return EchoConnected(offered, settings.token)

    async def check(self, settings: EchoSettings, database: Any) -> Checkup:
        checkup = Checkup()
        if len(settings.token) < 8:
            checkup.add(Level.PROBLEM, "echo", "ECHO_TOKEN is short", "use 8 characters or more")
        else:
            checkup.add(Level.OK, "echo", "ECHO_TOKEN is set")
        return checkup

    async def forget(self, session: Any, user_id: str) -> tuple[dict[str, int], list[str]]:
        return {}, []


WITH_ECHO = (*PLATFORMS, EchoPlatform())  # the one line that adds it


def environment(database_url: str, **more: str) -> Settings:
    values = {"OKRBOT_DATABASE_URL": database_url, **more}
    return Settings.from_environment(values, env_file=None, platforms=WITH_ECHO)


async def test_an_added_platform_is_served_reaches_the_core_and_answers_through_its_port(
    sqlite_url: str,
) -> None:
    settings = environment(sqlite_url, ECHO_TOKEN="echo-token-1")
    okrbot = await build(settings, clock=ManualClock(START), migrate=False, platforms=WITH_ECHO)
    server = create_server(okrbot)
    client: TestClient[Any, Any] = TestClient(TestServer(server.web_app, host="127.0.0.1"))
    await client.start_server()
    said = {"user": "U1", "channel": "C1", "at": START.timestamp(), "id": "e1"}
    try:
        refused = await client.post(EVENTS_PATH, json={**said, "text": "/okr team create X"})
        assert refused.status == 401
        answered = await client.post(
            EVENTS_PATH,
            json={**said, "token": "echo-token-1", "text": "/okr team create Echoes"},
        )
        assert answered.status == 200
        echo = server.connections.connected[ECHO]
        assert isinstance(echo, EchoConnected)
        (sent,) = echo.port.sent
        assert (sent.workspace_id, sent.target) == ("E1", "C1")
        assert shows(sent.reply.text, texts.team_created, "Echoes", "UTC")
        assert await count(okrbot, Team, Team.name == "Echoes") == 1
        assert await count(okrbot, Workspace, Workspace.platform == "echo") == 1
        assert okrbot.ports[ECHO] is echo.port  # the outbox sends through it too
    finally:
        await client.close()
        await server.stop()
        await okrbot.close()


async def test_an_added_platform_not_configured_answers_that_it_is_not(sqlite_url: str) -> None:
    okrbot = await build(environment(sqlite_url), migrate=False, platforms=WITH_ECHO)
    server = create_server(okrbot)
    client: TestClient[Any, Any] = TestClient(TestServer(server.web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.post(EVENTS_PATH, json={})).status == 404
        assert ECHO not in server.connections.connected
    finally:
        await client.close()
        await server.stop()
        await okrbot.close()


async def test_okrbot_doctor_shows_an_added_platforms_findings(sqlite_url: str) -> None:
    out = io.StringIO()
    well = await doctor.run(environment(sqlite_url, ECHO_TOKEN="echo-token-1"), out, WITH_ECHO)
    assert "ok       echo: ECHO_TOKEN is set." in out.getvalue().splitlines()
    assert well == 0
    out = io.StringIO()
    short = await doctor.run(environment(sqlite_url, ECHO_TOKEN="short"), out, WITH_ECHO)
    assert "problem  echo: ECHO_TOKEN is short. Fix: use 8 characters or more" in out.getvalue()
    assert short == 1
