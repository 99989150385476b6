"""Runs of one job performed together: a Monday's digests, a hundred leads a transaction.

A job that declares ``perform_together`` (and needs nothing from the platform first) has its
runs that fell due together taken, performed and finished in one transaction: the runs are
taken as ``take`` takes one (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional
write, so a run another replica holds or finished is left to it), the job reads what all of
them need at once, their messages are written by one INSERT for all rows with their idempotency
keys, and the runs are marked done, all committed at once. A crash rolls all of it back and
the runs are found again; a failure rolls it back and each run is performed alone, with the
per-run retries. Exactly once holds as for one run: a run and its messages commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import JobSpec
from bot.events import Due
from bot.runtime import outbox
from storage import schedule
from storage.schedule import RunStatus

TOGETHER = 100
"""Runs of one job performed in one transaction at most: their reads are ``IN`` lists of
about this many leads, and the outbox loop is woken after each such transaction."""

Found = TypeVar("Found")


def groups(
    found: Iterable[Found], *, together: int, job_of: Callable[[Found], str | None], alone: int
) -> Iterator[tuple[str | None, list[Found]]]:
    """Consecutive runs, in their order: up to ``together`` of one job that ``job_of`` names
    as performed together, else up to ``alone`` of any other kind (named None)."""
    group: list[Found] = []
    kind: str | None = None
    for each in found:
        name = job_of(each)
        limit = together if name is not None else alone
        if group and (name != kind or len(group) >= limit):
            yield kind, group
            group = []
        kind = name
        group.append(each)
    if group:
        yield kind, group


async def perform(
    sessions: async_sessionmaker[AsyncSession],
    job: JobSpec[AsyncSession, Any, Any],
    runs: Sequence[tuple[int, Due[Any]]],
    now: datetime,
) -> list[int]:
    """Take, perform and finish ``runs`` (id, due) in one transaction; the ids performed."""
    perform_together = job.perform_together
    if perform_together is None:
        raise ValueError(f"{job.name} has no runs performed together")
    async with sessions() as session, session.begin():
        taken = await schedule.take_many(session, run_ids=[run_id for run_id, _ in runs], now=now)
        mine = [(run_id, due) for run_id, due in runs if run_id in taken]
        if not mine:
            return []
        sent = await perform_together(session, [due for _, due in mine])
        await outbox.enqueue_many(
            session,
            deliveries=[
                (due.workspace_id, delivery)
                for (_, due), deliveries in zip(mine, sent, strict=True)
                for delivery in deliveries
            ],
            now=now,
        )
        ids = [run_id for run_id, _ in mine]
        await schedule.finish_many(session, run_ids=ids, status=RunStatus.DONE, now=now)
    return ids
