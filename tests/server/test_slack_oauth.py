"""Installing okrbot into many workspaces with OAuth v2: tokens encrypted, removed on uninstall."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.glue.slack_installations import unseal
from storage.installations import SlackInstallation
from tests.server.rig import SlackRig

PASSPHRASE = "correct horse battery staple"
OAUTH = {
    "slack_bot_token": "",
    "slack_client_id": "111.222",
    "slack_client_secret": "client-secret",
    "slack_scopes": "commands,chat:write,im:write",
    "secret_key": PASSPHRASE,
}


@pytest.fixture
async def oauth(database_url: str) -> AsyncIterator[SlackRig]:
    async with await SlackRig.start(database_url, **OAUTH) as rig:
        yield rig


async def install(rig: SlackRig) -> None:
    page = await rig.client.get("/slack/install")
    assert page.status == 200
    html = await page.text()
    state = re.search(r"state=([\w-]+)", html)
    assert state is not None and "client_id=111.222" in html
    done = await rig.client.get(
        "/slack/oauth_redirect",
        params={"code": "the-code", "state": state.group(1)},
        headers={"Cookie": f"slack-app-oauth-state={state.group(1)}"},
    )
    assert done.status == 200, await done.text()


async def rows(rig: SlackRig) -> list[SlackInstallation]:
    async with rig.server.okrbot.sessions() as session:
        return list(await session.scalars(select(SlackInstallation)))


async def test_an_installation_is_stored_encrypted_and_serves_its_workspace(
    oauth: SlackRig,
) -> None:
    await install(oauth)
    (row,) = await rows(oauth)
    assert row.team_id == "T9"
    assert "xoxb-installed-secret-token" not in row.sealed
    stored = unseal(row.sealed, PASSPHRASE)
    assert stored is not None and stored.bot_token == "xoxb-installed-secret-token"

    created = await oauth.command("/okr team create Nine", team="T9")
    assert created.status == 200 and "Nine" in created.json()["text"]
    await oauth.command(
        "/okr concern Velocity: we split stories to look fast", team="T9", user="U8"
    )
    assert await oauth.deliver() >= 1
    sent = oauth.fake.to("chat.postMessage")
    assert sent and all(c.token == "xoxb-installed-secret-token" for c in sent)


async def test_a_state_is_used_once(oauth: SlackRig) -> None:
    page = await (await oauth.client.get("/slack/install")).text()
    state = re.search(r"state=([\w-]+)", page)
    assert state is not None
    cookie = {"Cookie": f"slack-app-oauth-state={state.group(1)}"}
    params = {"code": "c", "state": state.group(1)}
    first = await oauth.client.get("/slack/oauth_redirect", params=params, headers=cookie)
    again = await oauth.client.get("/slack/oauth_redirect", params=params, headers=cookie)
    assert first.status == 200 and again.status != 200


async def test_an_unknown_workspace_is_not_served(oauth: SlackRig) -> None:
    answer = await oauth.command("/okr help", team="T404")
    assert answer.status == 200
    assert "reinstall" in answer.body.lower() or answer.body == ""
    assert oauth.fake.to("chat.postMessage") == []


async def test_uninstalling_removes_the_tokens(oauth: SlackRig) -> None:
    await install(oauth)
    gone = await oauth.event({"type": "app_uninstalled"}, event_id="EvGone", team="T9")
    assert gone.status == 200
    assert await rows(oauth) == []


async def test_revoked_bot_tokens_are_removed(oauth: SlackRig) -> None:
    await install(oauth)
    revoked = await oauth.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT0001"]}},
        event_id="EvRevoked",
        team="T9",
    )
    assert revoked.status == 200
    assert await rows(oauth) == []


async def test_without_a_secret_key_no_token_is_ever_stored(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url, **(OAUTH | {"secret_key": ""}))
    try:
        assert (await rig.client.get("/slack/install")).status == 404
        assert await rows(rig) == []
    finally:
        await rig.close()
