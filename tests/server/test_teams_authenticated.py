"""The authenticated path end to end, with no internet: tokens in, the bot's own token out.

Each test runs on both hosts (the Agents SDK and botbuilder). okrbot's Teams host is pointed
(by the Bot Framework endpoint settings of a sovereign cloud) at a local identity double over
HTTPS with a private CA: its JWKS checks the Bot Connector's tokens, its token endpoint gives
the bot the bearer token the replies carry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from storage.core import Workspace
from storage.teams import TeamsConversation, TeamsPerson
from tests.server.teams_identity import APP_ID, KEY_ID, OAUTH_SCOPE, IdentityDouble
from tests.server.teams_rig import TeamsRig, personal_chat


@pytest.fixture
async def rig(sqlite_url: str, double: IdentityDouble, teams_sdk: str) -> AsyncIterator[TeamsRig]:
    settings = double.settings()
    async with await TeamsRig.start(
        sqlite_url, teams_emulator=False, teams_sdk=teams_sdk, **settings
    ) as started:
        yield started


async def stored(rig: TeamsRig) -> int:
    total = 0
    async with rig.server.okrbot.sessions() as session:
        for model in (Workspace, TeamsConversation, TeamsPerson):
            total += int(await session.scalar(select(func.count()).select_from(model)) or 0)
    return total


async def test_a_valid_token_is_answered_with_the_bots_own_token(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    activity = rig.in_personal_chat("okr help")
    token = double.token(rig.fake.service_url)
    answer = await rig.post(activity, {"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    [reply] = rig.fake.to(personal_chat("grace"))
    assert double.issued and reply.authorization == f"Bearer {double.issued[-1]}"
    [asked] = double.token_requests
    assert asked["grant_type"] == "client_credentials"
    assert asked["client_id"] == APP_ID
    assert asked["scope"] == f"{OAUTH_SCOPE}/.default"
    assert await stored(rig) > 0


async def test_tokens_that_are_wrong_in_any_part_get_401_and_nothing_is_sent(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    service_url = rig.fake.service_url
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong = {
        "issuer": double.token(service_url, issuer="https://sts.windows.net/someone-else/"),
        "audience": double.token(service_url, audience="another-bots-app-id"),
        "key": double.token(service_url, key=stranger),
        "unknown key id": double.token(service_url, key=stranger, kid="not-" + KEY_ID),
        "expired": double.token(service_url, lifetime=-3600),
        "serviceUrl": double.token("https://smba.trafficmanager.net/emea/"),
    }
    for what, token in wrong.items():
        headers = {"Authorization": f"Bearer {token}"}
        answer = await rig.post(rig.in_personal_chat("okr help"), headers)
        assert answer.status == 401, what
    assert rig.fake.calls == []
    assert double.token_requests == []
    assert await stored(rig) == 0


async def test_the_token_vouches_for_the_service_url_the_activity_names(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    # A caller with a valid token for its own serviceUrl cannot point the replies elsewhere.
    elsewhere = "http://127.0.0.1:9/"
    activity = {**rig.in_personal_chat("okr help"), "serviceUrl": elsewhere}
    token = double.token(rig.fake.service_url)
    answer = await rig.post(activity, {"Authorization": f"Bearer {token}"})
    assert answer.status == 401
    assert rig.fake.calls == []
    assert await stored(rig) == 0
