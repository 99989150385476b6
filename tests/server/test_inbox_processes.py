"""The inbox across `okrbot serve` processes: one killed after its acks, two replicas at once.

Real processes, real HTTP, signed Events API requests. What was acked is kept in the database,
so a process killed before handling it loses nothing: the next one handles it. Two replicas on
one PostgreSQL never both handle an event and keep each channel's order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.engine import create_engine
from storage.inbox import InboxEvent
from storage.okr import LearningStory
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signed_headers
from tests.server.scraped import value
from tests.support import databases, slack_serving
from tests.support.serving import ServeProcess

SECRET = "inbox-secret"
CHANNELS = [f"C{n}" for n in range(1, 6)]


def mention(channel: str, number: int) -> str:
    return slack_serving.mention(
        event_id=f"Ev{channel}n{number:04d}",
        user=f"U{number % 7}",
        channel=channel,
        text=f"story learning learned: {channel} step {number}",
        ts=f"1774180000.{number:06d}",
    )


async def post(session: aiohttp.ClientSession, base: str, body: str, content_type: str) -> int:
    headers = signed_headers(SECRET, body, content_type)
    async with session.post(f"{base}/slack/events", data=body, headers=headers) as answer:
        return answer.status


async def create_teams(session: aiohttp.ClientSession, base: str) -> None:
    for channel in CHANNELS:
        body = urlencode(
            {
                "command": "/okr",
                "text": f"team create Team {channel}",
                "team_id": "T1",
                "channel_id": channel,
                "user_id": "U1",
            }
        )
        assert await post(session, base, body, "application/x-www-form-urlencoded") == 200


async def send_in_order(
    session: aiohttp.ClientSession, bases: Sequence[str], per_channel: int
) -> None:
    """Each channel's events one after the other (each acked first), the channels at once;
    the events of a channel go to the servers in turn."""

    async def channel_sends(channel: str) -> None:
        for number in range(per_channel):
            base = bases[number % len(bases)]
            assert await post(session, base, mention(channel, number), "application/json") == 200

    await asyncio.gather(*(channel_sends(channel) for channel in CHANNELS))


async def stored(database_url: str) -> tuple[list[str], int]:
    """The stories' texts in the order they were made, and the events still in the inbox."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            texts = (
                await connection.scalars(select(LearningStory.text).order_by(LearningStory.id))
            ).all()
            waiting = await connection.scalar(select(func.count()).select_from(InboxEvent))
    finally:
        await engine.dispose()
    return list(texts), int(waiting or 0)


async def until_handled(database_url: str, expected: int, within: float = 60) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        texts, waiting = await stored(database_url)
        if len(texts) >= expected and waiting == 0:
            return texts
        assert time.monotonic() < deadline, f"{len(texts)} stories, {waiting} still waiting"
        await asyncio.sleep(0.1)


def assert_each_once_in_order(texts: list[str], per_channel: int) -> None:
    assert len(texts) == len(set(texts)) == per_channel * len(CHANNELS)
    for channel in CHANNELS:
        mine = [t for t in texts if t.startswith(f"learned: {channel} ")]
        assert mine == [f"learned: {channel} step {n}" for n in range(per_channel)]


def server(database_url: str, fake: FakeSlack, directory: Path, **extra: str) -> ServeProcess:
    environment = slack_serving.environment(database_url, fake, secret=SECRET, lease_seconds=2)
    return ServeProcess(environment | extra, directory)


async def test_events_acked_by_a_server_killed_before_handling_them_are_handled_after_restart(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # The first process only acks (its worker is off), so every event is still waiting when
    # it dies; the one started after it handles them all, once each, in each channel's order.
    acking = server(database_url, fake_slack, tmp_path, OKRBOT_INBOX_WORKER="off")
    handling = server(database_url, fake_slack, tmp_path)
    async with aiohttp.ClientSession() as session:
        await acking.start(session, stderr=asyncio.subprocess.DEVNULL)
        try:
            await create_teams(session, acking.base)
            await send_in_order(session, [acking.base], per_channel=12)
            await acking.kill()
            texts, waiting = await stored(database_url)
            assert (texts, waiting) == ([], 60)
            await handling.start(session)
            assert_each_once_in_order(await until_handled(database_url, 60), 12)
        finally:
            await acking.stop(a_hang_fails=False)
            log = await handling.stop()
    assert "Traceback" not in log


async def test_a_server_killed_while_handling_leaves_each_event_either_done_or_waiting(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # The first process acks 400 events and dies; the second is killed as soon as it has
    # handled some. Each event is then either handled (its story kept, its row gone) or still
    # waiting, never both and never neither; the third handles the rest, once each, in order.
    acking = server(database_url, fake_slack, tmp_path, OKRBOT_INBOX_WORKER="off")
    killed = server(database_url, fake_slack, tmp_path)
    last = server(database_url, fake_slack, tmp_path)
    async with aiohttp.ClientSession() as session:
        await acking.start(session, stderr=asyncio.subprocess.DEVNULL)
        try:
            await create_teams(session, acking.base)
            await send_in_order(session, [acking.base], per_channel=80)
            await acking.kill()
            await killed.spawn(asyncio.subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while not (await stored(database_url))[0]:
                assert time.monotonic() < deadline, "the second server handled nothing"
                await asyncio.sleep(0.02)
            await killed.kill()
            texts, waiting = await stored(database_url)
            assert 0 < len(texts) < 400  # killed while it was handling
            assert len(texts) + waiting == 400
            await last.start(session)
            assert_each_once_in_order(await until_handled(database_url, 400), 80)
        finally:
            await acking.stop(a_hang_fails=False)
            await killed.stop(a_hang_fails=False)
            log = await last.stop()
    assert "Traceback" not in log


@pytest.mark.postgres
async def test_two_replicas_handle_each_event_once_and_keep_each_channel_s_order(
    postgres_ready: bool, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    await databases.empty_postgres()
    url = databases.POSTGRES_URL
    replicas = [server(url, fake_slack, tmp_path) for _ in range(2)]
    async with aiohttp.ClientSession() as session:
        for replica in replicas:
            await replica.start(session, stderr=asyncio.subprocess.DEVNULL)
        try:
            await create_teams(session, replicas[0].base)
            await send_in_order(session, [r.base for r in replicas], per_channel=20)
            assert_each_once_in_order(await until_handled(url, 100), 20)
            handled = repeated = 0.0
            for replica in replicas:
                async with session.get(f"{replica.base}/metrics") as answer:
                    page = await answer.text()
                handled += (
                    value(page, "okrbot_inbox_ack_to_handled_seconds_count", platform="slack") or 0
                )
                repeated += (
                    value(
                        page, "okrbot_events_deduplicated_total", platform="slack", kind="message"
                    )
                    or 0
                )
        finally:
            for replica in replicas:
                await replica.stop()
    assert (handled, repeated) == (100, 0)  # no event was handled by both
