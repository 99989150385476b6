"""`okrbot serve` as a real process: it listens, answers Slack and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signature


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_up(base: str, session: aiohttp.ClientSession) -> None:
    for _ in range(200):
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("okrbot serve did not come up")


async def test_serve_answers_slack_and_delivers_the_outbox(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    port = free_port()
    env = {
        **os.environ,
        "OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/okrbot.db",
        "SLACK_SIGNING_SECRET": "serve-secret",
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_API_URL": fake.api_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(base, session)
            async with session.get(f"{base}/readyz") as ready:
                assert ready.status == 200
            for line in ("team create Checkout", "concern Handle time: people rush"):
                body = urlencode(
                    {
                        "command": "/okr",
                        "text": line,
                        "team_id": "T1",
                        "channel_id": "C1",
                        "user_id": "U1",
                    }
                )
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": signature("serve-secret", stamp, body),
                }
                async with session.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    assert r.status == 200, await r.text()
            for _ in range(50):  # the outbox loop delivers the concern to the lead's DM
                if fake.to("chat.postMessage"):
                    break
                await asyncio.sleep(0.1)
            (dm,) = fake.to("chat.postMessage")
            assert dm.arguments["channel"] == "DU1" and "Handle time" in json.dumps(dm.arguments)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), 20)
        await fake.close()
    assert process.returncode == 0, err.decode()
    assert "xoxb-serve" not in err.decode()
