"""`okrbot serve` starts its workers once /readyz has said ready, or a second after it listens.

Their first passes (the scheduler's tick, the outbox's, the inbox's) would otherwise come
before the first readiness check, on SQLite's one connection and on the CPU.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from storage.inbox import InboxEvent
from tests.server.rig import SlackRig
from tests.server.test_inbox import mention
from tests.support.rows import count


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[SlackRig]:
    async with await SlackRig.start(database_url) as started:
        assert (await started.command("/okr team create Checkout")).status == 200
        started.handles_events = False
        story = mention("story learning learned: told before the workers started")
        assert (await started.event(story, event_id="EvEarly1")).status == 200
        yield started


async def handled_within(rig: SlackRig, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while await count(rig, InboxEvent):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_the_workers_wait_for_the_first_ready_answer(rig: SlackRig) -> None:
    starting = asyncio.create_task(rig.server.start_workers(scheduler=True, after=60))
    await asyncio.sleep(0.5)
    assert await count(rig, InboxEvent) == 1  # kept, not handled: no worker runs yet
    assert (await rig.client.get("/readyz")).status == 200
    await asyncio.wait_for(starting, 10)
    assert await handled_within(rig, 30)


async def test_without_a_readiness_check_the_workers_start_anyway(rig: SlackRig) -> None:
    rig.server.background.spawn(rig.server.start_workers(scheduler=True, after=0.2))
    assert await handled_within(rig, 30)


async def test_a_server_stopped_before_its_workers_started_starts_none(rig: SlackRig) -> None:
    starting = asyncio.create_task(rig.server.start_workers(scheduler=True, after=60))
    await asyncio.sleep(0.1)
    await rig.server.stop()
    await asyncio.wait_for(starting, 5)  # at once, not after the minute
    await asyncio.sleep(0.5)
    assert await count(rig, InboxEvent) == 1
