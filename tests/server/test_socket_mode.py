"""Socket Mode: the same Bolt app and listeners, fed over a real WebSocket by the fake Slack."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.slack.socket import socket_mode_handler
from bot.entry.server import serve
from bot.entry.settings import Settings
from storage.inbox import InboxEvent
from storage.okr import LearningStory
from tests.server.rig import SlackRig
from tests.support.rows import count
from tests.support.serving import free_port


def command(text: str, envelope_id: str) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "u1",
            "command": text.split(" ", 1)[0],
            "text": text.split(" ", 1)[1],
            "is_enterprise_install": "false",
            "trigger_id": f"trigger-{envelope_id}",  # each command Slack sends has its own
        },
    }


async def test_socket_mode_answers_commands_through_the_same_listeners(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url, slack_signing_secret="", slack_app_token="xapp-1-test")
    assert rig.slack.app is not None
    rig.fake.envelopes = [
        command("/okr team create Checkout", "env-1"),
        command("/story learning hypothesis: sockets work | learned: they do", "env-2"),
    ]
    handler = socket_mode_handler(rig.slack.app, "xapp-1-test")
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        for _ in range(100):
            if len(rig.fake.socket_acks) >= 2:
                break
            await asyncio.sleep(0.05)
        acks = {ack["envelope_id"]: ack for ack in rig.fake.socket_acks}
        assert "Checkout" in acks["env-1"]["payload"]["text"]
        assert acks["env-2"]["payload"]["response_type"] == "ephemeral"
        assert await count(rig, LearningStory) == 1
        (opened,) = rig.fake.to("apps.connections.open")
        assert opened.token == "xapp-1-test"
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await rig.close()


async def test_http_is_refused_when_only_socket_mode_is_configured(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url, slack_signing_secret="", slack_app_token="xapp-1-test")
    try:
        assert (await rig.command("/okr help")).status == 503
    finally:
        await rig.close()


async def test_socket_mode_events_are_kept_in_the_inbox_then_handled(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url, slack_signing_secret="", slack_app_token="xapp-1-test")
    assert rig.slack.app is not None
    mention = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "EvSocket1",
        "event_time": 1774180000,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT0001", "is_bot": True}],
        "event": {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "text": "<@UBOT0001> story learning learned: sockets keep events too",
            "ts": "1774180000.000100",
        },
    }
    event = {"envelope_id": "env-2", "type": "events_api", "payload": mention}
    event_again = {"envelope_id": "env-3", "type": "events_api", "payload": mention}
    rig.fake.envelopes = [command("/okr team create Checkout", "env-1"), event, event_again]
    handler = socket_mode_handler(rig.slack.app, "xapp-1-test")
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        for _ in range(100):
            if len(rig.fake.socket_acks) >= 3:
                break
            await asyncio.sleep(0.05)
        assert {ack["envelope_id"] for ack in rig.fake.socket_acks} == {"env-1", "env-2", "env-3"}
        assert await count(rig, InboxEvent) == 1  # acked once stored; Slack's retry adds nothing
        assert await count(rig, LearningStory) == 0
        await rig.settle()
        assert await count(rig, LearningStory) == 1
        assert await count(rig, InboxEvent) == 0
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await rig.close()


async def test_slacks_connection_opens_socket_mode_when_the_server_asks_and_closes_it(
    sqlite_url: str,
) -> None:
    rig = await SlackRig.start(sqlite_url, slack_signing_secret="", slack_app_token="xapp-1-test")
    rig.fake.envelopes = [command("/okr team create Checkout", "env-1")]
    try:
        assert not await rig.server.connections.start(socket=False)
        assert not rig.fake.to("apps.connections.open")  # not asked: no socket
        assert await rig.server.connections.start(socket=True)
        for _ in range(100):
            if rig.fake.socket_acks:
                break
            await asyncio.sleep(0.05)
        assert "Checkout" in rig.fake.socket_acks[0]["payload"]["text"]
    finally:
        await rig.close()
    assert rig.slack.socket is None  # the server's stop closed it


async def test_socket_mode_without_an_app_token_is_refused(sqlite_url: str) -> None:
    async with await SlackRig.start(sqlite_url) as rig:
        assert not await rig.server.connections.start(socket=True)
        assert not rig.fake.to("apps.connections.open")


async def test_serve_with_socket_mode_and_no_platform_to_open_it_exits_2(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url)
    assert await serve(settings, host="127.0.0.1", port=free_port(), socket_mode=True) == 2
