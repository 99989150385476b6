"""A peer that never answers costs one request, never the server (Bot Framework identity)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from adapters.teams import client
from storage.core import Team
from storage.teams import TeamsConversation
from tests.adapters.teams.tokens import APP_ID, channel_token
from tests.server.teams_rig import TeamsRig
from tests.support.fake_server import FakeServer
from tests.support.rows import count


@dataclass
class HangingKeys(FakeServer[Any]):
    """An OpenID metadata endpoint that takes each request and never answers."""

    released: asyncio.Event = field(default_factory=asyncio.Event)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/openid", self._never)

    async def _never(self, request: web.Request) -> web.Response:
        await self.released.wait()
        return web.Response(status=503)


@pytest.fixture
async def hanging_keys() -> AsyncIterator[str]:
    keys = await HangingKeys().start()
    try:
        yield f"{keys.root}/openid"
    finally:
        keys.released.set()
        await keys.close()


async def test_hanging_signing_keys_stall_neither_health_nor_other_requests(
    sqlite_url: str, hanging_keys: str, teams_sdk: str
) -> None:
    rig = await TeamsRig.start(
        sqlite_url,
        teams_sdk=teams_sdk,
        microsoft_app_id=APP_ID,
        microsoft_app_password="pw",
        bot_framework_openid_metadata_url=hanging_keys,
    )
    assert rig.teams.edge is not None
    rig.teams.edge.identity_timeout = 1.5
    try:
        activity = rig.in_personal_chat("okr help")
        token = channel_token(rig.fake.service_url)
        teams = asyncio.ensure_future(rig.post(activity, {"Authorization": f"Bearer {token}"}))
        await asyncio.sleep(0.2)  # the Teams request is now waiting for the keys
        health = asyncio.ensure_future(rig.client.get("/healthz"))
        done, _ = await asyncio.wait({teams, health}, return_when=asyncio.FIRST_COMPLETED)
        assert health in done and teams not in done
        assert (await health).status == 200
        assert (await teams).status == 503  # the Bot Connector will try again
        assert await count(rig, TeamsConversation) == 0 and rig.fake.calls == []
    finally:
        await rig.close()


async def test_a_service_url_that_never_answers_holds_a_turn_only_briefly(
    teams_sqlite: TeamsRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = teams_sqlite
    monkeypatch.setattr(client, "IN_TURN_CALL", 0.5)
    monkeypatch.setattr(client, "IN_TURN_PATIENCE", 2.0)
    rig.fake.gate = asyncio.Event()  # every post is taken and never answered
    try:
        answer = await asyncio.wait_for(
            rig.post(rig.in_channel("okr team create Checkout")), timeout=10
        )
    finally:
        rig.fake.gate.set()
    assert answer.status == 200  # the team exists; only the reply could not be shown
    assert await count(rig, Team) == 1
