"""`okrbot work` beside `okrbot serve`: serve only acks (its worker off), work handles.

Real processes, real HTTP, signed Events API requests, the fake Slack Web API. What serve
acked, a separate `okrbot work` handles: once each, in each channel's order, and its reply
reaches Slack. Two `okrbot work` on one PostgreSQL share the backlog and handle nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.server.scraped import value
from tests.server.test_inbox_processes import (
    CHANNELS,
    assert_each_once_in_order,
    create_teams,
    send_in_order,
    server,
    stored,
    until_handled,
)
from tests.support import databases
from tests.support.serving import ServeProcess, wait_until_up


def worker(database_url: str, fake: FakeSlack, directory: Path) -> ServeProcess:
    process = server(database_url, fake, directory)
    process.command = "work"
    return process


async def handled_by(
    session: aiohttp.ClientSession, workers: Sequence[ServeProcess]
) -> list[float]:
    """How many events each worker says it handled, and any it saw twice."""
    counts = []
    for process in workers:
        async with session.get(f"{process.base}/metrics") as answer:
            assert answer.status == 200
            page = await answer.text()
        counts.append(
            value(page, "okrbot_inbox_ack_to_handled_seconds_count", platform="slack") or 0
        )
    return counts


async def test_work_handles_what_serve_acked_once_in_order_and_replies(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    acking = server(database_url, fake_slack, tmp_path, OKRBOT_INBOX_WORKER="off")
    working = worker(database_url, fake_slack, tmp_path)
    async with aiohttp.ClientSession() as session:
        await acking.start(session)
        await working.spawn()
        try:
            await wait_until_up(working.base, session)
            async with session.get(f"{working.base}/readyz") as ready:
                assert (ready.status, await ready.text()) == (200, "ready")
            async with session.post(f"{working.base}/slack/events", data="{}") as refused:
                assert refused.status == 404  # work takes no platform's requests
            await create_teams(session, acking.base)
            await send_in_order(session, [acking.base], per_channel=10)
            assert_each_once_in_order(await until_handled(database_url, 50), 10)
            for _ in range(100):  # each story's reply goes to its channel through Slack's API
                replied = {
                    call.arguments.get("channel") for call in fake_slack.to("chat.postEphemeral")
                }
                replied |= {
                    call.arguments.get("channel") for call in fake_slack.to("chat.postMessage")
                }
                if set(CHANNELS) <= replied:
                    break
                await asyncio.sleep(0.1)
            assert set(CHANNELS) <= replied
            assert await handled_by(session, [working]) == [50]
        finally:
            serve_log = await acking.stop()
            work_log = await working.stop()
    assert working.process is not None and working.process.returncode == 0, work_log
    assert acking.process is not None and acking.process.returncode == 0, serve_log
    assert "Traceback" not in work_log + serve_log


@pytest.mark.postgres
async def test_two_workers_share_the_backlog_and_handle_each_event_once(
    postgres_ready: bool, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    await databases.empty_postgres()
    url = databases.POSTGRES_URL
    acking = server(url, fake_slack, tmp_path, OKRBOT_INBOX_WORKER="off")
    workers = [worker(url, fake_slack, tmp_path) for _ in range(2)]
    async with aiohttp.ClientSession() as session:
        await acking.start(session, stderr=asyncio.subprocess.DEVNULL)
        try:
            await create_teams(session, acking.base)
            await send_in_order(session, [acking.base], per_channel=20)
            texts, waiting = await stored(url)
            assert (texts, waiting) == ([], 100)  # serve handled none of them
            for process in workers:
                await process.start(session)
            assert_each_once_in_order(await until_handled(url, 100), 20)
            counts = await handled_by(session, workers)
        finally:
            await acking.stop()
            logs = [await process.stop() for process in workers]
    assert sum(counts) == 100, counts  # no event was handled by both
    assert all(p.process is not None and p.process.returncode == 0 for p in workers), logs
