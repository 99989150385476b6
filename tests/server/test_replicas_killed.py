"""Two `okrbot serve` replicas on one PostgreSQL: the one sending a fan-out is killed mid-way.

The survivor finishes the fan-out once its lease on the dead one's messages runs out, and
looks each uncertain message up in the channel's history (by the mark it carries in its
metadata) before sending it again: every member is prompted once, the channel told once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signed_headers
from tests.support import databases
from tests.support.serving import ServeProcess, wait_until_up

pytestmark = pytest.mark.postgres

SECRET = "replica-secret"
MEMBERS = [f"U{n:03d}" for n in range(1, 51)]


async def command(base: str, session: aiohttp.ClientSession, line: str) -> None:
    name, _, text = line.partition(" ")
    body = urlencode(
        {"command": name, "text": text, "team_id": "T1", "channel_id": "C1", "user_id": "U001"}
    )
    async with session.post(
        f"{base}/slack/events", data=body, headers=signed_headers(SECRET, body)
    ) as answer:
        assert answer.status == 200, await answer.text()


def replica(fake: FakeSlack, token: str, tmp_path: Path) -> ServeProcess:
    environment = {
        "OKRBOT_DATABASE_URL": databases.POSTGRES_URL,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": token,  # the same workspace; the token tells the fake who sent
        "SLACK_API_URL": fake.api_url,
        "OKRBOT_OUTBOX_LEASE_SECONDS": "3",
        "OKRBOT_OUTBOX_HEARTBEAT_SECONDS": "1",
    }
    return ServeProcess(environment, tmp_path)


def prompts(fake: FakeSlack) -> list[str]:
    return [
        str(c.arguments["channel"])
        for c in fake.to("chat.postMessage")
        if str(c.arguments.get("channel", "")).startswith("D")
    ]


async def until(condition, within: float) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(within / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("it did not happen in time")


async def test_a_killed_replica_s_fan_out_is_finished_once_by_the_other(
    postgres_ready: bool, tmp_path: Path
) -> None:
    await databases.empty_postgres()
    fake = await FakeSlack(members={"C1": MEMBERS}, page_size=200, delay=0.02).start()
    replicas = [replica(fake, token, tmp_path) for token in ("xoxb-first", "xoxb-second")]
    for serving in replicas:
        await serving.spawn(stderr=asyncio.subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession() as session:
            for serving in replicas:
                await wait_until_up(serving.base, session)
            first = replicas[0].base
            await command(first, session, "/okr team create Checkout")
            await command(first, session, "/retro start")

        await until(lambda: len(prompts(fake)) >= 8, within=20)
        [sender] = {c.token for c in fake.to("chat.postMessage")}
        doomed, survivor = replicas if sender == "xoxb-first" else reversed(replicas)
        await doomed.kill()  # mid fan-out: sends in flight, none recorded
        killed_after = len(prompts(fake))
        assert killed_after < len(MEMBERS), "the kill came too late to land mid fan-out"

        everyone = {f"D{member}" for member in MEMBERS}
        await until(lambda: set(prompts(fake)) >= everyone and fake.posted("C1"), within=30)
        await asyncio.sleep(4)  # a lease more: nothing else arrives late

        assert sorted(prompts(fake)) == sorted(everyone)  # every member prompted exactly once
        assert len(fake.posted("C1")) == 1  # the channel heard of the opening once
        assert fake.to("conversations.history"), "the survivor looked before sending again"
        assert survivor.process and survivor.process.returncode is None  # still serving
    finally:
        await asyncio.gather(*(serving.stop() for serving in replicas))
        await fake.close()
