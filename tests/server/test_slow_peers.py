"""A peer that never answers costs one request, never the server (Bot Framework identity)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from adapters.teams import client
from storage.core import Team
from storage.teams import TeamsConversation
from tests.server.teams_rig import TeamsRig

APP_ID = "00000000-0000-0000-0000-0000000a99id"


@pytest.fixture
async def hanging_keys() -> AsyncIterator[str]:
    """An OpenID metadata endpoint that takes the request and never answers."""
    stop = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await stop.wait()
        return web.Response(status=503)

    app = web.Application()
    app.router.add_get("/openid", never)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/openid"))
    finally:
        stop.set()
        await server.close()


def channel_token(service_url: str) -> str:
    """A token the Bot Framework channel would send, signed by a key the server must fetch."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "key-never-fetched"})


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
    assert rig.server.teams is not None
    rig.server.teams.edge.identity_timeout = 1.5
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
        async with rig.server.okrbot.sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(TeamsConversation))
        assert stored == 0 and rig.fake.calls == []
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
    async with rig.server.okrbot.sessions() as session:
        teams = await session.scalar(select(func.count()).select_from(Team))
    assert teams == 1
