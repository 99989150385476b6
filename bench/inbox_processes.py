"""The inbox's backlog handled by `okrbot work` processes, for ``bench.inbox_worker --workers``.

The processes start first, on a database with one team per channel and nothing waiting, and
answer /readyz; then the bench keeps the backlog in the inbox (as the edges of `okrbot serve`
replicas would) and waits until nothing waits any more. Each story must be stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
from sqlalchemy import text

from bench.http_servers import ROOT, cpu_seconds, okrbot
from bot.entry.app import Okrbot
from bot.events import Inbound
from storage.engine import create_engine


async def _counts(url: str) -> tuple[int, int, int]:
    """The events waiting in the inbox, the stories stored, and the distinct ones."""
    engine = create_engine(url)
    try:
        async with engine.connect() as db:
            waiting = await db.scalar(text("SELECT count(*) FROM inbox_event"))
            stories, distinct = (
                await db.execute(text("SELECT count(*), count(DISTINCT text) FROM learning_story"))
            ).one()
    finally:
        await engine.dispose()
    return int(waiting or 0), int(stories), int(distinct)


async def backlog_in_processes(
    keeper: Okrbot, api_url: str, events: list[Inbound], processes: int, channels: int
) -> list[str]:
    """``processes`` `okrbot work` handle ``events`` kept by ``keeper`` (on its database):
    stories handled per second from the first kept to the last handled, the workers' CPU time
    by story (all of them together), and the duplicates."""
    url = keeper.settings.database_url
    async with contextlib.AsyncExitStack() as stack, aiohttp.ClientSession() as session:
        pids = [
            (
                await stack.enter_async_context(
                    okrbot(url, f"work {n}", api_url, session, ROOT, "work")
                )
            ).pid
            for n in range(processes)
        ]
        cpu = sum(cpu_seconds(pid) for pid in pids)
        started = time.perf_counter()
        for start in range(0, len(events), 256):
            await asyncio.gather(*(keeper.intake(e) for e in events[start : start + 256]))
        kept = time.perf_counter() - started
        waiting = len(events)
        while waiting and time.perf_counter() - started < 600:
            await asyncio.sleep(0.1)
            waiting, stories, distinct = await _counts(url)
        elapsed = time.perf_counter() - started
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
    waiting, stories, distinct = await _counts(url)
    return [
        f"PostgreSQL: backlog of {len(events):,}, {channels} channels, "
        f"{processes} okrbot work process{'es' * (processes > 1)}",
        f"{stories / elapsed:,.0f}",
        f"{kept:.1f}",
        f"{elapsed:.1f}",
        f"{cpu * 1000 / max(stories, 1):.1f}",
        f"{stories - distinct} ({waiting} waiting)",
    ]
