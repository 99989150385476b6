"""Keep verified events in the inbox, committing many concurrent requests' rows at once.

Group commit: every request hands its row to one writer task and waits on a future. The writer
takes every row waiting (at most ``batch``; after waiting ``linger`` seconds for more, if asked
to), inserts them all in one transaction and resolves every future at once; while it commits,
the next requests queue up behind it. So under load one commit (one fsync) serves many
requests, and a request alone waits for its own commit only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Inbound
from bot.ports import Clock, Unavailable
from bot.runtime.units import transient
from storage import inbox

log = logging.getLogger(__name__)

LINGER = 0.0
"""Seconds the writer waits for more rows after the first. None by default: the commit in
flight gathers the next group by itself, and bench/inbox.py measured a 2 ms wait to cost
latency and throughput alike at 32 concurrent requests."""
BATCH = 256


class Intake:
    """The inbox's writer: ``await intake(event)`` returns once the event's row is committed."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        linger: float = LINGER,
        batch: int = BATCH,
        on_committed: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._linger = linger
        self._batch = batch
        self.on_committed = on_committed  # wakes the worker
        self._waiting: asyncio.Queue[tuple[Inbound, asyncio.Future[None]]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # transactions committed, for the benchmark's grouping figure

    async def __call__(self, event: Inbound) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.put_nowait((event, done))
        await done

    async def close(self) -> None:
        """Stop the writer; a request still waiting is told to come back (503: Slack, or Teams'
        Bot Connector, retries)."""
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        while not self._waiting.empty():
            _row, done = self._waiting.get_nowait()
            if not done.done():
                done.set_exception(Unavailable("okrbot is stopping"))

    async def _write(self) -> None:
        while True:
            group = [await self._waiting.get()]
            if self._linger > 0:
                await self._gather(group)
            while len(group) < self._batch and not self._waiting.empty():
                group.append(self._waiting.get_nowait())
            await self._commit(group)

    async def _gather(self, group: list[tuple[Inbound, asyncio.Future[None]]]) -> None:
        """Wait up to ``linger`` for more rows, unless a batch is full sooner."""
        try:
            async with asyncio.timeout(self._linger):
                while len(group) + self._waiting.qsize() < self._batch:
                    group.append(await self._waiting.get())
        except TimeoutError:
            pass

    async def _commit(self, group: list[tuple[Inbound, asyncio.Future[None]]]) -> None:
        # The event's receipt time becomes its row's (and when it is due); rows are written in
        # arrival order.
        try:
            async with self._engine.begin() as connection:
                await inbox.add_all(connection, [row for row, _ in group])
        except Exception as error:
            if transient(error):
                failure: Exception = Unavailable(
                    f"the database is unavailable ({type(error).__name__})"
                )
            else:
                log.exception("could not keep %d events in the inbox", len(group))
                failure = Unavailable(f"the inbox refused the events ({type(error).__name__})")
            for _, done in group:
                if not done.done():
                    done.set_exception(failure)
            return
        self.commits += 1
        for _, done in group:
            if not done.done():
                done.set_result(None)
        if self.on_committed is not None:
            self.on_committed()
