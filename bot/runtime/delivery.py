"""The outbox worker: claim due messages, send them, record each result; and its loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ports import ChatPort, Clock, Meter
from bot.runtime import sending
from bot.runtime.journal import Journal
from bot.runtime.outbox import LEASE
from bot.runtime.sending import Result, Sending
from storage import outbox as outbox_rows

log = logging.getLogger(__name__)


class OutboxWorker:
    """Claim due outbox rows, send them through the platform's ChatPort, record each result.

    A worker takes only messages for the platforms it has a ChatPort for, so a process that
    cannot reach a platform leaves that platform's messages to one that can. A claim is a
    lease, renewed by a heartbeat while the worker holds it: if the worker dies, its rows
    become due again when the lease runs out and another worker (or replica) takes them.
    Each send is recorded as soon as it succeeds, so a crash leaves at most the sends then in
    flight (``concurrency`` in each of ``batches`` batches) uncertain; a port that marks its
    messages (Slack) is asked whether an uncertain one went out before it is sent again.
    Messages to different conversations go out concurrently; one conversation's messages go
    out one after another, in order.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        ports: Mapping[str, ChatPort],
        *,
        meter: Meter,
        lease: timedelta = LEASE,
        heartbeat: timedelta | None = None,
        batch: int = 100,
        concurrency: int = 16,
        batches: int = 4,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ports = ports
        self._meter = meter
        self._lease = lease
        # A beat at least twice per lease, so that one slow beat does not lose the rows.
        self._heartbeat_every = min(heartbeat or lease / 3, lease / 2)
        self._batch = batch
        self._concurrency = concurrency
        self._batches = batches

    async def deliver_due(self) -> int:
        """Deliver everything due now; return how many messages were sent.

        Up to ``batches`` claimed batches are sent at once: the next is claimed while earlier
        ones are still sending, so a fan-out's messages leave as their rows commit, not a
        batch at a time behind the slowest conversation of the last. A claim takes only the
        first waiting message of each conversation, so batches never share a conversation.
        """
        sent = 0
        flying: set[asyncio.Future[int]] = set()
        try:
            while True:
                jobs = await self._claim() if len(flying) < self._batches else []
                if jobs:
                    flying.add(asyncio.ensure_future(self._deliver(jobs)))
                    continue
                if not flying:
                    return sent
                done, flying = await asyncio.wait(flying, return_when=asyncio.FIRST_COMPLETED)
                sent += sum(each.result() for each in done)
        finally:
            for each in flying:
                each.cancel()
            await asyncio.gather(*flying, return_exceptions=True)

    async def _claim(self) -> list[Sending]:
        async with self._sessions() as session, session.begin():
            now = self._clock.now()
            claimed = await outbox_rows.claim_due_messages(
                session,
                now=now,
                lease=self._lease,
                limit=self._batch,
                platforms=self._ports.keys(),
            )
            return [
                Sending(
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

    async def _deliver(self, jobs: list[Sending]) -> int:
        """Send a claimed batch, keeping its leases alive until each message is recorded."""
        held = {job.row_id for job in jobs}
        heartbeat = asyncio.ensure_future(self._renew(held))
        journal = Journal(self._sessions, self._clock, self._meter)
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
                    await outbox_rows.renew_leases(session, ids=set(held), until=until)
            except Exception:  # the database may be away a moment; the next beat tries again
                log.warning("could not renew the leases of %s outbox messages", len(held))

    async def _send_all(self, jobs: list[Sending], journal: Journal, held: set[int]) -> int:
        conversations: dict[tuple[str, str, str, str], list[Sending]] = {}
        for job in jobs:
            conversations.setdefault(job.conversation, []).append(job)
        gate = asyncio.Semaphore(self._concurrency)

        async def in_order(queue: list[Sending]) -> int:
            sent = 0
            async with gate:
                for position, job in enumerate(queue):
                    result = await sending.send(self._ports[job.platform], job)
                    if result.wait is not None and not result.failed:  # only a rate limit
                        self._meter.message_rate_limited(job.platform)
                    sent += await self._record(result, journal, held)
                    if result.wait is not None:
                        # What follows in this conversation must not overtake it: it waits too.
                        for later in queue[position + 1 :]:
                            note = "waits for an earlier message to the same conversation"
                            waiting = Result(later, wait=result.wait, note=note)
                            await self._record(waiting, journal, held)
                        break
            return sent

        return sum(await asyncio.gather(*(in_order(q) for q in conversations.values())))

    async def _record(self, result: Result, journal: Journal, held: set[int]) -> int:
        """Write one message's fate at once, so a crash later does not forget it."""
        await journal.record(result)
        held.discard(result.job.row_id)
        return 1 if result.message_id is not None else 0
