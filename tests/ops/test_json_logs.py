"""`OKRBOT_LOG_FORMAT=json okrbot serve`: one JSON object per line, with the event's fields, and
never a secret; at the default level the start-up and the migrations are in it."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.entry import logs
from bot.runtime import context
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signature
from tests.support.serving import ServeProcess

SIGNING_SECRET = "a7c1f0e2d9b84c55b1e0f3a9c2d4e6f8"
BOT_TOKEN = "xoxb-json-logs-secret"
SECRET_KEY = "json lines keep secrets too"


def parsed(stderr: str) -> list[dict[str, object]]:
    lines = stderr.splitlines()
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]  # each line is one whole JSON object


async def test_serve_writes_one_json_object_per_line_with_the_event_and_no_secret(
    tmp_path: Path,
) -> None:
    fake = await FakeSlack().start()
    environment = {
        "OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/okrbot.db",
        "OKRBOT_LOG_FORMAT": "json",
        "OKRBOT_SECRET_KEY": SECRET_KEY,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    server = ServeProcess(environment, tmp_path, unset=["OKRBOT_LOG_LEVEL"])  # the default
    body = urlencode(
        {"command": "/okr", "text": "team create Lines", "team_id": "T7", "channel_id": "C7"}
        | {"user_id": "U7", "trigger_id": "1337.42.json-lines"}
    )
    try:
        async with aiohttp.ClientSession() as session:
            await server.start(session)
            for _ in range(2):  # the same signed command twice: the second is a repeat
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": signature(SIGNING_SECRET, stamp, body),
                }
                url = f"{server.base}/slack/events"
                async with session.post(url, data=body, headers=headers) as r:
                    assert r.status == 200, await r.text()
            await asyncio.sleep(0.5)
    finally:
        log = await server.stop(30)
        await fake.close()
    assert server.process is not None and server.process.returncode == 0, log
    entries = parsed(log)
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    messages = [str(entry["message"]) for entry in entries]
    assert any(m.startswith("okrbot serves on http://127.0.0.1:") for m in messages), messages
    assert any(m.startswith("Running upgrade") for m in messages), messages
    (repeat,) = [e for e in entries if str(e["message"]).startswith("ignored a repeated")]
    assert repeat["platform"] == "slack" and repeat["workspace"] == "T7"
    assert len(str(repeat["event_id"])) == context.EVENT_DIGITS
    assert "json-lines" not in log  # the event id itself, as Slack sent it, is not written
    for secret in (SIGNING_SECRET, BOT_TOKEN, SECRET_KEY):
        assert secret not in log


@pytest.fixture
def root_restored() -> Iterator[None]:
    """Take okrbot's handler off the root logger again, and put its level back."""
    root = logging.getLogger()
    level = root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h.get_name() == logs.HANDLER]:
            root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize("json_lines", [True, False])
def test_each_line_carries_the_event_and_is_redacted(
    root_restored: None, monkeypatch: pytest.MonkeyPatch, json_lines: bool
) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)  # here: pytest sets its own before each test
    logs.set_up(logging.DEBUG, json_lines=json_lines, secrets=[SIGNING_SECRET])
    logs.set_up(logging.DEBUG, json_lines=json_lines, secrets=[SIGNING_SECRET])  # replaces
    sdk = logging.getLogger("slack_sdk.web.async_base_client")
    with context.about(platform="slack", workspace="T7", event_id="0123456789abcdef"):
        sdk.info("signed with %s and sent with %s", SIGNING_SECRET, BOT_TOKEN)
        try:
            raise RuntimeError(f"the token {BOT_TOKEN} was refused\nsecond line")
        except RuntimeError:
            sdk.exception("it failed")
    sdk.info("outside any event")
    lines = stderr.getvalue().splitlines()
    assert SIGNING_SECRET not in stderr.getvalue() and BOT_TOKEN not in stderr.getvalue()
    if not json_lines:
        assert lines[0].endswith("[platform=slack workspace=T7 event_id=0123456789abcdef]")
        assert lines[-1].endswith("outside any event")
        return
    first, failed, outside = (json.loads(line) for line in lines)
    assert first["message"] == "signed with [redacted] and sent with [redacted]"
    assert (first["platform"], first["workspace"], first["event_id"]) == (
        "slack",
        "T7",
        "0123456789abcdef",
    )
    assert failed["level"] == "ERROR" and "RuntimeError" in str(failed["exception"])
    assert failed["workspace"] == "T7"
    assert "workspace" not in outside and outside["message"] == "outside any event"
