"""`okrbot serve`'s /metrics, scraped from a real process and read by prometheus_client's parser:
each signed Slack request is one ack observation, a replayed command counts as de-duplicated,
the fake Slack's 429 on an outbox message counts as one, and the process's own metrics are there.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signature
from tests.server.scraped import samples, value
from tests.support.serving import ServeProcess

SECRET = "metrics-secret"
MEMBERS = ["U001", "U002", "U003"]


def signed(line: str, trigger: str) -> tuple[str, dict[str, str]]:
    """A slash command as Slack posts it, signed now."""
    name, _, text = line.partition(" ")
    body = urlencode(
        {"command": name, "text": text, "team_id": "T1", "channel_id": "C1", "user_id": "U001"}
        | {"trigger_id": trigger}
    )
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(SECRET, stamp, body),
    }
    return body, headers


async def test_metrics_of_a_serving_okrbot_parse_and_count_what_happened(tmp_path: Path) -> None:
    fake = await FakeSlack(members={"C1": MEMBERS}, page_size=200).start()
    fake.rate_limited_post = 1
    env = {
        "OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/okrbot.db",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-metrics",
        "SLACK_API_URL": fake.api_url,
    }
    server = ServeProcess(env, tmp_path)
    commands = [
        ("/okr team create Checkout", "1.1.create"),
        ("/okr team create Checkout", "1.1.create"),  # Slack's retry of the same command
        ("/retro start", "1.2.start"),
    ]
    try:
        async with aiohttp.ClientSession() as session:
            await server.start(session, stderr=asyncio.subprocess.DEVNULL)
            for line, trigger in commands:
                body, headers = signed(line, trigger)
                async with session.post(
                    f"{server.base}/slack/events", data=body, headers=headers
                ) as r:
                    assert r.status == 200, await r.text()
            prompted = {f"D{member}" for member in MEMBERS}
            for _ in range(300):  # the fan-out, its 429 waited out, then the channel's notice
                sent = {str(c.arguments.get("channel")) for c in fake.to("chat.postMessage")}
                if sent >= prompted | {"C1"}:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the retrospective's messages did not all go out")
            await asyncio.sleep(0.5)  # the last results are recorded
            async with session.get(f"{server.base}/metrics") as scrape:
                assert scrape.status == 200
                assert scrape.content_type == "text/plain"
                text = await scrape.text()
    finally:
        await server.stop(30)
        await fake.close()

    families = {family.name: family for family in text_string_to_metric_families(text)}
    for histogram in (
        "okrbot_ack_seconds",
        "okrbot_ack_to_processed_seconds",
        "okrbot_scheduler_lag_seconds",
    ):
        assert families[histogram].type == "histogram"
    assert value(text, "okrbot_ack_seconds_count", platform="slack") == len(commands)
    command = {"platform": "slack", "kind": "command"}
    assert value(text, "okrbot_events_received_total", **command) == len(commands)
    assert value(text, "okrbot_events_deduplicated_total", **command) == 1
    assert value(text, "okrbot_events_handled_total", **command) == len(commands)
    assert value(text, "okrbot_slack_requests_total", status="200") == len(commands)
    assert fake.throttled == 1
    assert value(text, "okrbot_outbox_rate_limited_total", platform="slack") == 1
    delivered = value(text, "okrbot_outbox_delivered_total", platform="slack")
    assert delivered is not None and delivered >= len(MEMBERS) + 1
    performed = [
        v for (name, _), v in samples(text).items() if name == "okrbot_scheduler_lag_seconds_count"
    ]
    assert sum(performed) >= 1  # the retrospective's opening, performed once it fell due
    assert value(text, "okrbot_outbox_messages", status="pending") == 0
    assert "process_cpu_seconds_total" in {s for s, _ in samples(text)}
    assert "python_gc_collections" in families
