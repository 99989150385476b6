"""`okrbot serve` as a real process: it listens, answers Slack and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signed_headers
from tests.support.serving import ServeProcess


async def test_serve_answers_slack_and_delivers_the_outbox(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    environment = {
        "OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/okrbot.db",
        "SLACK_SIGNING_SECRET": "serve-secret",
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_API_URL": fake.api_url,
    }
    serving = ServeProcess(environment, tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            await serving.start(session)
            async with session.get(f"{serving.base}/readyz") as ready:
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
                headers = signed_headers("serve-secret", body)
                async with session.post(
                    f"{serving.base}/slack/events", data=body, headers=headers
                ) as r:
                    assert r.status == 200, await r.text()
            for _ in range(50):  # the outbox loop delivers the concern to the lead's DM
                if fake.to("chat.postMessage"):
                    break
                await asyncio.sleep(0.1)
            (dm,) = fake.to("chat.postMessage")
            assert dm.arguments["channel"] == "DU1" and "Handle time" in json.dumps(dm.arguments)
            forged = signed_headers("not-the-secret", "command=%2Fokr&text=help")
            async with session.post(
                f"{serving.base}/slack/events", data="command=%2Fokr&text=help", headers=forged
            ) as refused:
                assert refused.status == 401
    finally:
        err = await serving.stop()
        await fake.close()
    assert serving.process is not None and serving.process.returncode == 0, err
    assert "xoxb-serve" not in err
    # The access log keeps the refused request and leaves out the acks and probes that worked.
    requests = [
        line for line in err.splitlines() if '"POST /slack/events' in line or "GET /" in line
    ]
    assert len(requests) == 1 and '" 401 ' in requests[0], requests
