"""Spoiled but validly signed Slack requests, over real HTTP: never a 5xx, never a traceback,
and nothing stored from a request that was refused."""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, stored, tracebacks
from tests.fuzz.mutations import dumps, spoiled
from tests.server.rig import SlackRig

PAYLOADS = Path(__file__).parents[1] / "adapters" / "slack" / "payloads"
EVENTS = [
    "app_mention",
    "message_im",
    "reaction_added",
    "app_home_opened",
    "member_joined_channel",
    "message_changed_im",
    "tokens_revoked",
]
INTERACTIONS = ["block_actions", "view_submission", "message_shortcut"]
COMMANDS = [
    "/story learning hypothesis: badges help | learned: they did not",
    "/okr concern Handle time: people close tickets early anonymous",
    "/shoutout Checkout for pairing with us",
    "/okr kr add Buyers finish checkout alone",
    "/okr team create Payments",
]
_ids = count(1)


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def addressed(body: dict[str, Any], rig: SlackRig) -> dict[str, Any]:
    """Point a stored payload at this rig's team, channel and fake Slack, with a fresh id."""
    number = next(_ids)
    body = {**body, "team_id": "T1"} if "team_id" in body else body
    if body.get("type") == "event_callback":
        body = {**body, "event_id": f"EvFuzz{number}"}
        body["event"] = (
            {**body["event"], "channel": "C1"} if "channel" in body["event"] else body["event"]
        )
    if "response_url" in body:
        body["response_url"] = rig.fake.response_url(f"fuzz-{number}")
    if "response_urls" in body:
        body["response_urls"] = []
    return body


async def check(rig: SlackRig, caplog: pytest.LogCaptureFixture, body: str, kind: str) -> None:
    caplog.clear()
    before = await stored(rig.server)
    answer = await rig.post(body, kind)
    await rig.settle()
    assert answer.status < 500, answer.body
    assert not tracebacks(caplog)
    if answer.status >= 400:
        assert await stored(rig.server) == before


@pytest.fixture
async def team(slack: SlackRig) -> SlackRig:
    assert (await slack.command("/okr team create Checkout")).status == 200
    return slack


@FUZZ
@given(data=st.data(), name=st.sampled_from(EVENTS))
async def test_spoiled_events(team, caplog, data, name) -> None:
    body = data.draw(spoiled(addressed(payload(name), team)))
    await check(team, caplog, dumps(body), "application/json")


@FUZZ
@given(data=st.data(), name=st.sampled_from(INTERACTIONS))
async def test_spoiled_interactions(team, caplog, data, name) -> None:
    body = data.draw(spoiled(addressed(payload(name), team)))
    await check(
        team, caplog, urlencode({"payload": dumps(body)}), "application/x-www-form-urlencoded"
    )


@FUZZ
@given(data=st.data(), line=st.sampled_from(COMMANDS))
async def test_spoiled_slash_commands(team, caplog, data, line) -> None:
    command, _, text = line.partition(" ")
    form = {
        **payload("slash_command"),
        "team_id": "T1",
        "channel_id": "C1",
        "enterprise_id": "",
        "command": command,
        "text": text,
    }
    form = addressed(form, team)
    spoilt = data.draw(spoiled(form, strings_only=True))
    body = urlencode(spoilt, errors="surrogatepass")  # as a browser would send it
    await check(team, caplog, body, "application/x-www-form-urlencoded")
