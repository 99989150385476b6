"""Teams through the inbox across `okrbot serve` processes: one killed after its acks.

Real processes, real HTTP, activities carrying real Bot Framework tokens (from the local
identity double), replies to the fake Bot Connector. What was acked is kept in the database, so
a process killed before handling it loses nothing: the next one handles it, and answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.adapters.teams.fake_connector import FakeConnector
from tests.server.teams_identity import IdentityDouble
from tests.server.teams_rig import PEOPLE, in_channel
from tests.server.test_inbox_processes import stored, until_handled
from tests.support.poison import okrbot
from tests.support.serving import ServeProcess

STEPS = 8
ADA_CHAT = f"a:1chat-with-{PEOPLE['ada']['id']}"  # the 1:1 chat the fake opens for Ada
SETTINGS = {  # the double's settings, as okrbot reads them from its environment
    "microsoft_app_id": "MICROSOFT_APP_ID",
    "microsoft_app_password": "MICROSOFT_APP_PASSWORD",
    "microsoft_app_type": "MICROSOFT_APP_TYPE",
    "microsoft_app_tenant_id": "MICROSOFT_APP_TENANT_ID",
    "bot_framework_openid_metadata_url": "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
    "bot_framework_token_issuer": "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
    "bot_framework_login_url": "TO_CHANNEL_FROM_BOT_LOGIN_URL",
    "bot_framework_oauth_scope": "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    connector = await FakeConnector().start()
    try:
        yield connector
    finally:
        await connector.close()


def server(
    database_url: str, double: IdentityDouble, sdk: str, directory: Path, **extra: str
) -> ServeProcess:
    environment = {SETTINGS[name]: value for name, value in double.settings().items()}
    environment |= {
        "OKRBOT_DATABASE_URL": database_url,
        "OKRBOT_TEAMS_SDK": sdk,
        "OKRBOT_INBOX_LEASE_SECONDS": "2",
    }
    return ServeProcess(environment | extra, directory)


async def post(
    session: aiohttp.ClientSession, base: str, double: IdentityDouble, activity: dict[str, Any]
) -> int:
    token = double.token(activity["serviceUrl"])
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(f"{base}/api/messages", json=activity, headers=headers) as answer:
        return answer.status


@pytest.mark.timeout(300)  # it starts okrbot three times, which takes long on a busy machine
async def test_activities_acked_by_a_server_killed_before_handling_them_are_handled_after_restart(
    database_url: str,
    teams_sdk: str,
    double: IdentityDouble,
    fake: FakeConnector,
    tmp_path: Path,
) -> None:
    # The first process only acks (its worker is off), so every activity is still waiting when
    # it dies; the one started after it handles them all, once each, in the channel's order:
    # the team is made before the stories told in its channel's threads.
    acking = server(database_url, double, teams_sdk, tmp_path, OKRBOT_INBOX_WORKER="off")
    handling = server(database_url, double, teams_sdk, tmp_path)
    url = fake.service_url
    async with aiohttp.ClientSession() as session:
        await acking.start(session, stderr=asyncio.subprocess.DEVNULL)
        try:
            assert (
                await post(session, acking.base, double, in_channel(url, "okr team create C"))
                == 200
            )
            for step in range(STEPS):
                told = in_channel(url, f"story learning learned: step {step}")
                assert await post(session, acking.base, double, told) == 200
            await acking.kill()
            assert await stored(database_url) == ([], STEPS + 1)
            listed = await okrbot(database_url, "inbox")
            assert listed.splitlines()[-1].startswith(f"{STEPS + 1} waiting")
            assert fake.calls == []  # nothing was said before the restart

            await handling.start(session)
            texts = await until_handled(database_url, STEPS)
            assert texts == [f"learned: step {step}" for step in range(STEPS)]
        finally:
            await acking.stop(a_hang_fails=False)
            log = await handling.stop()
    assert "Traceback" not in log
    answers = fake.to(ADA_CHAT)  # Ada's answers are hers alone: her 1:1 chat, opened for them
    assert len(answers) == STEPS + 1
    assert all(answer.authorization.startswith("Bearer ") for answer in answers)
