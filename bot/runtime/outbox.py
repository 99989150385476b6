"""Durable outbound messages: written with the work that causes them, delivered once.

A reply longer than one platform message is split when it is written, by that platform's
renderer, into pages that each fit, and each page is a row of its own: the first keeps the
delivery's key, the others add ``#2``, ``#3`` … to it. Every page then has what any message
has: it is written once (the keys are unique), sent once (a sent row is never sent again,
so a 429 on page 3 resends neither page 1 nor page 2), and in order, since a conversation's
rows go out in the order they were written, and none overtakes one that waits. Splitting at
delivery instead would make one row stand for several messages, and a failure halfway would
have to remember which of them went out.

Rate limits delay a message and never end it; other passing troubles (5xx, timeouts, a lost
connection) are retried with a capped backoff for up to :data:`MAX_FAILING`; only a platform's
final refusal (channel gone, bot removed, credentials revoked) makes a dead letter at once.
Dead letters stay visible (``okrbot outbox --dead``, ``/metrics``) until an operator retries
them (``okrbot outbox retry``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack import blocks
from adapters.teams import cards
from bot.events import Platform, Turn
from bot.ports import (
    ChatPort,
    Clock,
    DeliveryFailed,
    MarkingChatPort,
    NotAuthorized,
    RateLimited,
    RetryLater,
)
from bot.replies import Audience, Delivery, Reply, reply_from_dict, reply_to_dict
from storage import ledger
from storage.core import Workspace
from storage.ledger import DeadReason

log = logging.getLogger(__name__)

MAX_FAILING = timedelta(hours=24)
"""How long a message may keep failing (5xx, timeouts, no connection) before it is dead.

An age, not an attempt count: with a backoff capped at ten minutes, eight attempts are over
in a quarter of an hour, which a platform incident or a network outage easily outlasts. A day
outlasts those, overnight ones included, while a prompt or a shout-out older than a day has
lost its moment; it is then a dead letter the operator sees and may send again.
"""
MAX_BACKOFF = timedelta(minutes=10)

Pager = Callable[[Reply], Sequence[Reply]]
"""Split a reply into the messages a platform can hold, in order (one when it fits)."""

PAGERS: Mapping[str, Pager] = {Platform.SLACK: blocks.pages, Platform.TEAMS: cards.pages}


def page_key(key: str, number: int) -> str:
    """The idempotency key of a delivery's ``number``th page (the first keeps the key)."""
    return key if number == 1 else f"{key}#{number}"


RATE_LIMIT_WAIT = timedelta(seconds=1)
"""The least wait after a 429 (and the wait when the platform names none)."""
LEASE = timedelta(seconds=30)
"""How long a claim holds when its worker stops renewing it (it died): work resumes then."""


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
    return min(timedelta(seconds=2 ** min(max(attempts, 1), 20)), MAX_BACKOFF)


def mark(key: str) -> str:
    """What a message carries on the platform to be found again: a digest of its key.

    A digest, because keys name people and subjects, and other apps in the conversation may
    read a message's metadata.
    """
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class _Job:
    row_id: int
    key: str
    attempts: int
    audience: str
    target_id: str
    payload: dict[str, Any]
    platform: str
    workspace: str
    uncertain: bool
    claimed_at: datetime
    failing_since: datetime | None

    @property
    def conversation(self) -> tuple[str, str, str, str]:
        return (self.platform, self.workspace, self.audience, self.target_id)


@dataclass(frozen=True, slots=True)
class _Result:
    job: _Job
    message_id: str | None = None
    wait: timedelta | None = None  # due again after this
    failed: bool = False  # a failed attempt (a 429 is none)
    dead: DeadReason | None = None
    note: str = ""


class _Journal:
    """Write results as they come; those that come together share one transaction.

    Each sender waits until its own result is committed, so a message is recorded as soon as
    it is known, as before; but while one commit is under way, the results that arrive meanwhile
    are gathered and written by the next one (a group commit), instead of a transaction each.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        write: Callable[[AsyncSession, _Result], Awaitable[None]],
    ) -> None:
        self._sessions = sessions
        self._write = write
        self._waiting: list[tuple[_Result, asyncio.Future[None]]] = []
        self._writer: asyncio.Future[None] | None = None

    async def record(self, result: _Result) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((result, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_waiting())
        await written

    def stop(self) -> None:
        """Write nothing more; whoever still waits for a write hears it will not come."""
        if self._writer is not None:
            self._writer.cancel()
        for _, written in self._waiting:
            written.cancel()
        self._waiting = []

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with self._sessions() as session, session.begin():
                    for result, _ in batch:
                        await self._write(session, result)
            except Exception as error:  # the database is away: every sender hears of it
                for _, written in batch:
                    if not written.done():
                        written.set_exception(error)
                continue
            for _, written in batch:
                if not written.done():
                    written.set_result(None)


class OutboxWorker:
    """Claim due outbox rows, send them through the platform's ChatPort, record each result.

    A worker takes only messages for the platforms it has a ChatPort for, so a process that
    cannot reach a platform leaves that platform's messages to one that can. A claim is a
    lease, renewed by a heartbeat while the worker holds it: if the worker dies, its rows
    become due again when the lease runs out and another worker (or replica) takes them.
    Each send is recorded as soon as it succeeds, so a crash leaves at most the sends then in
    flight (``concurrency``) uncertain; a port that marks its messages (Slack) is asked whether
    an uncertain one went out before it is sent again. Messages to different conversations
    go out concurrently; one conversation's messages go out one after another, in order.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        ports: Mapping[str, ChatPort],
        *,
        lease: timedelta = LEASE,
        heartbeat: timedelta | None = None,
        batch: int = 100,
        concurrency: int = 16,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ports = ports
        self._lease = lease
        # A beat at least twice per lease, so that one slow beat does not lose the rows.
        self._heartbeat_every = min(heartbeat or lease / 3, lease / 2)
        self._batch = batch
        self._concurrency = concurrency

    async def deliver_due(self) -> int:
        """Deliver everything due now; return how many messages were sent."""
        sent = 0
        while jobs := await self._claim():
            sent += await self._deliver(jobs)
        return sent

    async def _claim(self) -> list[_Job]:
        async with self._sessions() as session, session.begin():
            now = self._clock.now()
            claimed = await ledger.claim_due_messages(
                session,
                now=now,
                lease=self._lease,
                limit=self._batch,
                platforms=self._ports.keys(),
            )
            return [
                _Job(
                    row_id=c.message.id,
                    key=c.message.idempotency_key,
                    attempts=c.message.attempts,
                    audience=c.message.audience,
                    target_id=c.message.target_id,
                    payload=c.message.payload,
                    platform=c.workspace.platform,
                    workspace=c.workspace.external_id,
                    uncertain=c.uncertain,
                    claimed_at=c.message.claimed_at or now,
                    failing_since=c.message.failing_since,
                )
                for c in claimed
            ]

    async def _deliver(self, jobs: list[_Job]) -> int:
        """Send a claimed batch, keeping its leases alive until each message is recorded."""
        held = {job.row_id for job in jobs}
        heartbeat = asyncio.ensure_future(self._renew(held))
        journal = _Journal(self._sessions, self._write)
        try:
            return await self._send_all(jobs, journal, held)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            journal.stop()  # stopped halfway (cancelled): write nothing more, as a crash would

    async def _renew(self, held: set[int]) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_every.total_seconds())
            if not held:
                continue
            try:
                async with self._sessions() as session, session.begin():
                    until = self._clock.now() + self._lease
                    await ledger.renew_leases(session, ids=set(held), until=until)
            except Exception:  # the database may be away a moment; the next beat tries again
                log.warning("could not renew the leases of %s outbox messages", len(held))

    async def _send_all(self, jobs: list[_Job], journal: _Journal, held: set[int]) -> int:
        conversations: dict[tuple[str, str, str, str], list[_Job]] = {}
        for job in jobs:
            conversations.setdefault(job.conversation, []).append(job)
        gate = asyncio.Semaphore(self._concurrency)

        async def in_order(queue: list[_Job]) -> int:
            sent = 0
            async with gate:
                for position, job in enumerate(queue):
                    result = await self._send(job)
                    sent += await self._record(result, journal, held)
                    if result.wait is not None:
                        # What follows in this conversation must not overtake it: it waits too.
                        for later in queue[position + 1 :]:
                            note = "waits for an earlier message to the same conversation"
                            waiting = _Result(later, wait=result.wait, note=note)
                            await self._record(waiting, journal, held)
                        break
            return sent

        return sum(await asyncio.gather(*(in_order(q) for q in conversations.values())))

    async def _send(self, job: _Job) -> _Result:
        # Only rows of platforms we have ports for were claimed.
        port = self._ports[job.platform]
        reply = reply_from_dict(job.payload)
        try:
            if isinstance(port, MarkingChatPort):
                if job.uncertain:
                    found = await self._look_for(port, job)
                    if found is not None:
                        log.info("outbox message %s had been sent before a crash", job.row_id)
                        return _Result(job, message_id=found)
                message_id = await port.send_marked(
                    job.workspace, job.audience, job.target_id, reply, key=mark(job.key)
                )
            elif job.audience == Audience.PERSON:
                message_id = await port.send_direct(job.workspace, job.target_id, reply)
            else:
                message_id = await port.send(job.workspace, job.target_id, reply)
        except RateLimited as slow_down:
            told = timedelta(seconds=slow_down.retry_after or 0)
            return _Result(job, wait=max(told, RATE_LIMIT_WAIT), note=str(slow_down))
        except RetryLater as trouble:
            later = (
                timedelta(seconds=trouble.retry_after)
                if trouble.retry_after is not None
                else backoff(job.attempts + 1)
            )
            return _Result(job, wait=later, failed=True, note=str(trouble))
        except NotAuthorized as refused:
            note = f"refused by {job.platform}: {refused}"
            return _Result(job, dead=DeadReason.UNAUTHORIZED, note=note)
        except DeliveryFailed as refused:
            return _Result(
                job, dead=DeadReason.REFUSED, note=f"refused by {job.platform}: {refused}"
            )
        except Exception as error:  # a bug or an unexpected answer: try again later
            log.exception("outbox message %s could not be sent", job.row_id)
            return _Result(job, wait=backoff(job.attempts + 1), failed=True, note=repr(error))
        return _Result(job, message_id=message_id)

    async def _look_for(self, port: MarkingChatPort, job: _Job) -> str | None:
        """Ask the platform whether a message whose fate a crash hid went out after all."""
        try:
            return await port.find_marked(
                job.workspace, job.audience, job.target_id, key=mark(job.key), since=job.claimed_at
            )
        except DeliveryFailed as blind:  # not allowed to read there: send, as without a mark
            log.info("cannot tell whether outbox message %s went out (%s)", job.row_id, blind)
            return None

    async def _record(self, result: _Result, journal: _Journal, held: set[int]) -> int:
        """Write one message's fate at once, so a crash later does not forget it."""
        await journal.record(result)
        held.discard(result.job.row_id)
        return 1 if result.message_id is not None else 0

    async def _write(self, session: AsyncSession, result: _Result) -> None:
        job, now = result.job, self._clock.now()
        if result.message_id is not None:
            await ledger.mark_sent(
                session, message_id=job.row_id, platform_message_id=result.message_id, now=now
            )
        elif result.wait is not None and not self._expired(result, now):
            await ledger.mark_retry(
                session,
                message_id=job.row_id,
                available_at=now + result.wait,
                error=result.note,
                failed_at=now if result.failed else None,
            )
        else:
            reason = result.dead or DeadReason.EXPIRED
            note = result.note if result.dead else f"failing for {MAX_FAILING}: {result.note}"
            log.warning(
                "outbox message %s to %s is a dead letter (%s)", job.row_id, job.platform, reason
            )
            await ledger.mark_failed(session, message_id=job.row_id, error=note, reason=reason)

    @staticmethod
    def _expired(result: _Result, now: datetime) -> bool:
        since = result.job.failing_since
        return result.failed and since is not None and now - since >= MAX_FAILING
