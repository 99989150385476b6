"""Clocks: the real one, and one that tests, the console and the demo move by hand."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Tell the real time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Tell a time that only moves when asked to."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = as_utc(moment)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Pacer:
    """Space actions on one key (a channel, a conversation) ``interval`` seconds apart.

    Platforms limit how fast a bot may post into one conversation; keys are independent.
    """

    def __init__(
        self,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[str, float] = {}

    async def wait(self, key: str) -> None:
        """Return when an action on ``key`` may happen; reserve the next slot for it."""
        now = self._monotonic()
        if len(self._next) > 10_000:  # forget keys whose slot has passed
            self._next = {k: t for k, t in self._next.items() if t > now}
        slot = max(now, self._next.get(key, now))
        self._next[key] = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)
