"""Runs whose platforms have answered, performed many a transaction (a quarterly opening).

A job with a ``prepare`` step (an opening asks Slack who is in the team's channel) is asked
with no transaction open; the runs whose answers are in are then taken, performed and finished
in one transaction, their messages written by one INSERT, and committed at once, which wakes
the outbox. Two hundred teams opening at 10:00 are a few transactions, not two hundred.

Exactly once holds as for one run: the runs are taken as ``take`` takes one (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL and a conditional write), so a run another replica holds or finished is
left to it, and a run commits with its messages. A crash rolls the whole group back and its
runs are found again. A failure in one run's perform step rolls the group back too, and then
each of its runs is performed alone, so one team's trouble is retried alone and delays the
others by one transaction; a platform that failed to answer for one run (``prepare`` raised)
never enters the group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import JobSpec
from bot.events import Due
from bot.runtime import outbox
from storage import schedule
from storage.schedule import RunStatus

READY_AT_ONCE = 50
"""Runs performed in one transaction at most: each opening writes about a dozen statements,
and the outbox is woken only when they commit."""
FIRST_AT_ONCE = 4
"""Runs in a pass's first transaction at most: its prompts are the first to leave."""


@dataclass(frozen=True, slots=True)
class Ready:
    """A due run with its job, its subject and what its platform answered."""

    run_id: int
    job: JobSpec[AsyncSession, Any, Any]
    due: Due[Any]
    prepared: Any


async def perform(
    sessions: async_sessionmaker[AsyncSession], runs: Sequence[Ready], now: datetime
) -> list[int]:
    """Take, perform and finish ``runs`` in one transaction; the ids this replica performed."""
    async with sessions() as session, session.begin():
        taken = await schedule.take_many(session, run_ids=[run.run_id for run in runs], now=now)
        mine = [run for run in runs if run.run_id in taken]
        if not mine:
            return []
        deliveries = []
        for run in mine:
            sent = await run.job.perform(session, run.due, run.prepared)
            deliveries += [(run.due.workspace_id, delivery) for delivery in sent]
        await outbox.enqueue_many(session, deliveries=deliveries, now=now)
        ids = [run.run_id for run in mine]
        await schedule.finish_many(session, run_ids=ids, status=RunStatus.DONE, now=now)
    return ids


def chunks(runs: Sequence[Ready], together: int, *, first: bool) -> Iterator[Sequence[Ready]]:
    """``runs`` a transaction's worth at a time (``together`` at most, and no more than
    :data:`READY_AT_ONCE`); the ``first`` of a pass no more than :data:`FIRST_AT_ONCE`, so the
    first teams' prompts do not wait for a big transaction."""
    size = max(1, min(together, READY_AT_ONCE))
    start = min(size, FIRST_AT_ONCE, len(runs)) if first else 0
    if start:
        yield runs[:start]
    for begin in range(start, len(runs), size):
        yield runs[begin : begin + size]


async def answered(asking: Sequence[asyncio.Future[Any]]) -> list[int]:
    """Wait for the first of ``asking`` to be answered; the positions of all answered by then.

    The first in line (the run longest due) goes in the next transaction, with every other
    whose platform has answered meanwhile; the rest are still being asked.
    """
    if asking:
        await asyncio.wait([asking[0]])
    return [position for position, asked in enumerate(asking) if asked.done()]
