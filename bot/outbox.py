"""Durable outbound messages: written with the work that causes them, delivered once."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import Turn
from bot.ports import ChatPort, Clock, DeliveryFailed, RetryLater
from bot.replies import Audience, Delivery, reply_from_dict, reply_to_dict
from storage import ledger

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=10)


async def enqueue(
    session: AsyncSession,
    *,
    workspace_id: int,
    delivery: Delivery,
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Write one delivery to the outbox; a key seen before in this workspace adds nothing."""
    return await ledger.enqueue(
        session,
        workspace_id=workspace_id,
        key=delivery.key,
        audience=delivery.audience.value,
        target_id=delivery.target_id,
        payload=reply_to_dict(delivery.reply),
        now=now,
        not_before=not_before,
    )


async def enqueue_all(session: AsyncSession, *, turn: Turn, deliveries: Iterable[Delivery]) -> None:
    for delivery in deliveries:
        await enqueue(session, workspace_id=turn.workspace_id, delivery=delivery, now=turn.now)


def backoff(attempts: int) -> timedelta:
    """Wait 2, 4, 8 ... seconds between attempts, never more than ten minutes."""
    return min(timedelta(seconds=2 ** max(attempts, 1)), MAX_BACKOFF)


class OutboxWorker:
    """Claim due outbox rows, send them through the platform's ChatPort, record the result.

    A worker takes only messages for the platforms it has a ChatPort for, so a process that
    cannot reach a platform leaves that platform's messages to one that can. A claim is a
    lease: if this worker dies between claim and send, the rows become due again when the
    lease runs out and another worker (or replica) sends them.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        ports: Mapping[str, ChatPort],
        *,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 50,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ports = ports
        self._lease = lease
        self._batch = batch

    async def deliver_due(self) -> int:
        """Deliver everything due now; return how many messages were sent."""
        sent = 0
        while True:
            async with self._sessions() as session, session.begin():
                claimed = await ledger.claim_due_messages(
                    session,
                    now=self._clock.now(),
                    lease=self._lease,
                    limit=self._batch,
                    platforms=self._ports.keys(),
                )
                jobs = [
                    (
                        m.id,
                        m.attempts,
                        m.audience,
                        m.target_id,
                        m.payload,
                        w.platform,
                        w.external_id,
                    )
                    for m, w in claimed
                ]
            if not jobs:
                return sent
            for job in jobs:
                sent += await self._deliver(*job)
            if len(jobs) < self._batch:
                return sent

    async def _deliver(
        self,
        row_id: int,
        attempts: int,
        audience: str,
        target_id: str,
        payload: dict[str, object],
        platform: str,
        workspace: str,
    ) -> int:
        port = self._ports[platform]  # only rows of platforms we have ports for are claimed
        reply = reply_from_dict(payload)
        async with self._sessions() as session, session.begin():
            try:
                if audience == Audience.PERSON:
                    message_id = await port.send_direct(workspace, target_id, reply)
                else:
                    message_id = await port.send(workspace, target_id, reply)
            except RetryLater as wait:
                if attempts >= MAX_ATTEMPTS:
                    await ledger.mark_failed(session, message_id=row_id, error=str(wait))
                    log.error("outbox message %s gave up after %s attempts", row_id, attempts)
                    return 0
                delay = (
                    timedelta(seconds=wait.retry_after)
                    if wait.retry_after is not None
                    else backoff(attempts)
                )
                await ledger.mark_retry(
                    session,
                    message_id=row_id,
                    available_at=self._clock.now() + delay,
                    error=str(wait),
                )
                return 0
            except DeliveryFailed as failure:
                await ledger.mark_failed(session, message_id=row_id, error=str(failure))
                log.warning("outbox message %s refused by %s: %s", row_id, platform, failure)
                return 0
            await ledger.mark_sent(
                session, message_id=row_id, platform_message_id=message_id, now=self._clock.now()
            )
            return 1
