"""Time: the real clock, one that tests, the console and the demo move by hand, a pacer, and
the declaration of scheduled work (:class:`JobSpec`), which the clock brings due."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from bot.events import Due, Subject
from bot.ports import Directory, Session
from bot.replies import Delivery


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


Prepared = TypeVar("Prepared")
"""What a job's prepare step looked up on the platform, handed to its perform step."""

Reader = Callable[[], AbstractAsyncContextManager[Session]]
"""Opens a short transaction of its own, closed again when the block ends."""


@dataclass(frozen=True, slots=True)
class Planned(Generic[Subject]):
    """A run a planner found due: in which workspace, about what, at what time."""

    workspace_id: int
    subject: Subject
    due_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSpec(Generic[Session, Subject, Prepared]):
    """A kind of scheduled work, declared by the domain that does it.

    A run is stored as (name, subject key, due time); ``read_subject`` turns the key back into
    the typed subject (None: a key this job cannot read). ``prepare`` asks the platform what
    the run needs before its transaction opens (so no database lock waits on the network) and
    hands the answer to ``perform``, which writes the run's effects in that one transaction and
    returns the messages to send. ``plan`` says which runs fell due between two times, for jobs
    that come from a clock rather than from a person. A run missed by hours is skipped unless
    ``always_run``.

    ``perform_together``, for a job that needs nothing from the platform first, performs many
    of its runs due together in one transaction (a Monday's digests: one read per table for
    all of them) and returns each run's messages, in the order of the runs; it must send what
    ``perform`` would send for each. If it fails, its transaction is rolled back and each run is
    performed alone by ``perform``.
    """

    name: str
    subject_key: Callable[[Subject], str]
    read_subject: Callable[[str], Subject | None]
    perform: Callable[[Session, Due[Subject], Prepared], Awaitable[Sequence[Delivery]]]
    prepare: Callable[[Reader[Session], Due[Subject], Directory], Awaitable[Prepared]] | None = None
    plan: Callable[[Session, datetime, datetime], Awaitable[Iterable[Planned[Subject]]]] | None = (
        None
    )
    always_run: bool = False
    perform_together: (
        Callable[[Session, Sequence[Due[Subject]]], Awaitable[Sequence[Sequence[Delivery]]]] | None
    ) = None
