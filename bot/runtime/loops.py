"""A background loop: do one step every interval, or at once when woken; never die of it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Loop:
    """Run ``step`` every ``interval`` seconds, and at once after ``wake``.

    A step that fails (the database away for a moment) is logged and tried again at the next
    turn; the loop ends only when its task is cancelled.
    """

    def __init__(self, name: str, step: Callable[[], Awaitable[None]], interval: float) -> None:
        self._name = name
        self._step = step
        self._interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._step()
            except Exception:
                log.exception("the %s failed; trying again", self._name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
