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
    turn. ``stop`` ends the loop after the step under way, so that no transaction is cut off
    half-way (cancelling its task ends it at once).
    """

    def __init__(self, name: str, step: Callable[[], Awaitable[None]], interval: float) -> None:
        self._name = name
        self._step = step
        self._interval = interval
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._step()
            except Exception:
                log.exception("the %s failed; trying again", self._name)
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
