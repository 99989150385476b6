"""Durable outbound messages: written with the work that causes them, delivered once.

A reply longer than one platform message is split when it is written, by that platform's
renderer, into pages that each fit, and each page is a row of its own: the first keeps the
delivery's key, the others add ``#2``, ``#3`` … to it. Every page then has what any message
has: it is written once (the keys are unique), sent once (a sent row is never sent again,
so a 429 on page 3 resends neither page 1 nor page 2), and in order, since the rows of one
conversation go out in the order they were written, and none overtakes one that waits.
Splitting at delivery instead would make one row stand for several messages, and a failure
halfway would have to remember which of them went out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack import blocks
from adapters.teams import cards
from bot.events import Platform, Turn
from bot.ports import ChatPort, Clock, DeliveryFailed, RetryLater
from bot.replies import Audience, Delivery, Reply, reply_from_dict, reply_to_dict
from storage import ledger
from storage.core import Workspace

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=10)
ZERO = timedelta(0)

Pager = Callable[[Reply], Sequence[Reply]]
"""Split a reply into the messages a platform can hold, in order (one when it fits)."""

PAGERS: Mapping[str, Pager] = {Platform.SLACK: blocks.pages, Platform.TEAMS: cards.pages}


def page_key(key: str, number: int) -> str:
    """The idempotency key of a delivery's ``number``th page (the first keeps the key)."""
    return key if number == 1 else f"{key}#{number}"


async def enqueue(
    session: AsyncSession,
    *,
    workspace_id: int,
    delivery: Delivery,
    now: datetime,
    not_before: datetime | None = None,
    pagers: Mapping[str, Pager] = PAGERS,
) -> bool:
    """Write one delivery to the outbox, a row per page; a key seen before adds nothing."""
    workspace = await session.get(Workspace, workspace_id)
    pager = pagers.get(workspace.platform) if workspace is not None else None
    written = False
    for number, page in enumerate(pager(delivery.reply) if pager else [delivery.reply], 1):
        written |= await ledger.enqueue(
            session,
            workspace_id=workspace_id,
            key=page_key(delivery.key, number),
            audience=delivery.audience.value,
            target_id=delivery.target_id,
            payload=reply_to_dict(page),
            now=now,
            not_before=not_before,
        )
    return written


async def enqueue_all(session: AsyncSession, *, turn: Turn, deliveries: Iterable[Delivery]) -> None:
    for delivery in deliveries:
        await enqueue(session, workspace_id=turn.workspace_id, delivery=delivery, now=turn.now)


def backoff(attempts: int) -> timedelta:
    """Wait 2, 4, 8 ... seconds between attempts, never more than ten minutes."""
    return min(timedelta(seconds=2 ** max(attempts, 1)), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class _Job:
    row_id: int
    attempts: int
    audience: str
    target_id: str
    payload: dict[str, Any]
    platform: str
    workspace: str

    @property
    def conversation(self) -> tuple[str, str, str, str]:
        return (self.platform, self.workspace, self.audience, self.target_id)


@dataclass(frozen=True, slots=True)
class _Result:
    job: _Job
    message_id: str | None = None
    retry_after: timedelta | None = None
    failure: str | None = None
    held_back: bool = False  # not tried: an earlier message of its conversation must go first


class OutboxWorker:
    """Claim due outbox rows, send them through the platform's ChatPort, record the result.

    A worker takes only messages for the platforms it has a ChatPort for, so a process that
    cannot reach a platform leaves that platform's messages to one that can. A claim is a
    lease: if this worker dies between claim and send, the rows become due again when the
    lease runs out and another worker (or replica) sends them. Messages to different
    conversations go out concurrently; messages to one conversation keep their order: when
    one has to wait, those after it wait with it, untried.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        ports: Mapping[str, ChatPort],
        *,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 100,
        concurrency: int = 16,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ports = ports
        self._lease = lease
        self._batch = batch
        self._concurrency = concurrency

    async def deliver_due(self) -> int:
        """Deliver everything due now; return how many messages were sent.

        A pass can free more: a message that waited behind one just sent (one this worker or
        another held) is due now, so passes go on until one finds nothing to take.
        """
        sent = 0
        while True:
            jobs = await self._claim()
            if not jobs:
                return sent
            results = await self._send_all(jobs)
            sent += await self._record(results)

    async def _claim(self) -> list[_Job]:
        async with self._sessions() as session, session.begin():
            claimed = await ledger.claim_due_messages(
                session,
                now=self._clock.now(),
                lease=self._lease,
                limit=self._batch,
                platforms=self._ports.keys(),
            )
            return [
                _Job(
                    m.id, m.attempts, m.audience, m.target_id, m.payload, w.platform, w.external_id
                )
                for m, w in claimed
            ]

    async def _send_all(self, jobs: list[_Job]) -> list[_Result]:
        conversations: dict[tuple[str, str, str, str], list[_Job]] = {}
        for job in sorted(jobs, key=lambda j: j.row_id):  # the order they were written in
            conversations.setdefault(job.conversation, []).append(job)
        gate = asyncio.Semaphore(self._concurrency)

        async def in_order(queue: list[_Job]) -> list[_Result]:
            results: list[_Result] = []
            async with gate:
                for position, job in enumerate(queue):
                    result = await self._send(job)
                    results.append(result)
                    if result.retry_after is not None:
                        wait = result.retry_after
                        later = queue[position + 1 :]
                        return results + [
                            _Result(j, retry_after=wait, held_back=True) for j in later
                        ]
            return results

        batches = await asyncio.gather(*(in_order(q) for q in conversations.values()))
        return [result for batch in batches for result in batch]

    async def _send(self, job: _Job) -> _Result:
        # Only rows of platforms we have ports for were claimed.
        port = self._ports[job.platform]
        reply = reply_from_dict(job.payload)
        try:
            if job.audience == Audience.PERSON:
                message_id = await port.send_direct(job.workspace, job.target_id, reply)
            else:
                message_id = await port.send(job.workspace, job.target_id, reply)
        except RetryLater as wait:
            if job.attempts >= MAX_ATTEMPTS:
                return _Result(job, failure=f"gave up after {job.attempts} attempts: {wait}")
            delay = (
                timedelta(seconds=wait.retry_after)
                if wait.retry_after is not None
                else backoff(job.attempts)
            )
            return _Result(job, retry_after=delay, failure=str(wait))
        except DeliveryFailed as refused:
            return _Result(job, failure=f"refused by {job.platform}: {refused}")
        except Exception as error:  # a bug or an unexpected answer: try again later
            log.exception("outbox message %s could not be sent", job.row_id)
            return _Result(job, retry_after=backoff(job.attempts), failure=repr(error))
        return _Result(job, message_id=message_id)

    async def _record(self, results: list[_Result]) -> int:
        now = self._clock.now()
        sent = 0
        async with self._sessions() as session, session.begin():
            for result in results:
                row = result.job.row_id
                if result.message_id is not None:
                    await ledger.mark_sent(
                        session, message_id=row, platform_message_id=result.message_id, now=now
                    )
                    sent += 1
                elif result.held_back:
                    await ledger.hold_back(
                        session, message_id=row, available_at=now + (result.retry_after or ZERO)
                    )
                elif result.retry_after is not None:
                    await ledger.mark_retry(
                        session,
                        message_id=row,
                        available_at=now + result.retry_after,
                        error=result.failure or "",
                    )
                else:
                    log.warning("outbox message %s failed: %s", row, result.failure)
                    await ledger.mark_failed(session, message_id=row, error=result.failure or "")
        return sent
