"""Every event the manifest subscribes to is answered 200 in every install mode, so none is retried.

Each event is posted in its real shape (tests/adapters/slack/payloads), signed, over HTTP with one
bot token and with OAuth, and over Socket Mode.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.socket import socket_mode_handler
from tests.server.rig import SlackRig
from tests.server.test_slack_oauth import OAUTH, install, rows

ROOT = Path(__file__).parents[2]
PAYLOADS = ROOT / "tests" / "adapters" / "slack" / "payloads"
# Bolt's answer when it cannot find the workspace's installation (a 200 that handled nothing).
NOT_INSTALLED = "no longer available"


def subscribed() -> list[str]:
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text())
    events: list[str] = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert events
    return events


def event_callback(name: str, *, team: str) -> dict[str, Any]:
    """The payload of a subscribed event (``message.im`` is a message in an IM) from ``team``."""
    text = (PAYLOADS / f"{name.replace('.', '_')}.json").read_text()
    original = json.loads(text)["team_id"]
    body: dict[str, Any] = json.loads(text.replace(original, team))
    assert body["type"] == "event_callback"
    assert body["event"]["type"] == name.partition(".")[0]
    return body


async def post(rig: SlackRig, body: dict[str, Any]) -> tuple[int, str]:
    answer = await rig.post(json.dumps(body), "application/json")
    return answer.status, answer.body


def unanswered(answers: dict[str, tuple[int, str]]) -> dict[str, tuple[int, str]]:
    """The events not answered 200, or answered only with Bolt's 'not installed' notice."""
    return {n: a for n, a in answers.items() if a[0] != 200 or NOT_INSTALLED in a[1]}


@pytest.fixture
async def oauth(database_url: str) -> AsyncIterator[SlackRig]:
    async with await SlackRig.start(database_url, **OAUTH) as rig:
        yield rig


async def test_with_one_bot_token_every_subscribed_event_is_answered_200(slack: SlackRig) -> None:
    answers = {name: await post(slack, event_callback(name, team="T1")) for name in subscribed()}
    await slack.settle()
    assert unanswered(answers) == {}


async def test_with_oauth_every_subscribed_event_is_answered_200(oauth: SlackRig) -> None:
    answers: dict[str, tuple[int, str]] = {}
    for name in subscribed():
        await install(oauth)  # uninstalling and revoking remove it again
        answers[name] = await post(oauth, event_callback(name, team="T9"))
    await oauth.settle()
    assert unanswered(answers) == {}
    assert await rows(oauth) == []  # the last events were the uninstall and the revocation


async def test_over_socket_mode_every_subscribed_event_is_acknowledged(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url, slack_signing_secret="", slack_app_token="xapp-1-test")
    assert rig.slack.app is not None
    names = subscribed()
    rig.fake.envelopes = [
        {
            "envelope_id": f"env-{name}",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": event_callback(name, team="T1"),
        }
        for name in names
    ]
    handler = socket_mode_handler(rig.slack.app, "xapp-1-test")
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        for _ in range(100):  # the fake hands over the next envelope only once this one is acked
            if len(rig.fake.socket_acks) == len(names):
                break
            await asyncio.sleep(0.05)
        assert [ack["envelope_id"] for ack in rig.fake.socket_acks] == [f"env-{n}" for n in names]
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await rig.close()


async def test_with_one_bot_token_an_uninstall_tells_the_operator_and_keeps_serving(
    slack: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        status, _ = await post(slack, event_callback("app_uninstalled", team="T1"))
    assert status == 200
    (record,) = [r for r in caplog.records if "uninstalled" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert "T1" in record.getMessage() and "SLACK_BOT_TOKEN" in record.getMessage()
    assert "xoxb-" not in caplog.text
    assert (await slack.command("/okr help")).status == 200  # the server still serves


async def test_with_one_bot_token_only_a_revoked_bot_token_alarms_the_operator(
    slack: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    users_only = event_callback("tokens_revoked", team="T1")
    users_only["event"]["tokens"] = {"oauth": ["U123"], "bot": []}
    with caplog.at_level(logging.INFO):
        assert (await post(slack, users_only))[0] == 200
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert (await post(slack, event_callback("tokens_revoked", team="T1")))[0] == 200
    (alarm,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert alarm.levelno == logging.ERROR
    assert "revoked" in alarm.getMessage() and "SLACK_BOT_TOKEN" in alarm.getMessage()
    assert "xoxb-" not in caplog.text
