"""Forget, after a retention period, the bookkeeping rows that say who did something when.

The processed-event ledger keeps each event's id and time, and a delivered outbox row its
addressee and time: needed for a while (a platform retries for minutes, an operator looks into
a delivery for days), then only a trail from a moment to a person. They are deleted after
``OKRBOT_RETENTION_DAYS``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.ledger import ProcessedEvent
from storage.outbox import OutboxMessage, OutboxStatus


async def purge(session: AsyncSession, *, before: datetime) -> int:
    """Delete ledger rows and finished outbox rows older than ``before``; count them."""
    events = await session.execute(
        delete(ProcessedEvent)
        .where(ProcessedEvent.processed_at < before)
        .execution_options(synchronize_session=False)
    )
    messages = await session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
            OutboxMessage.created_at < before,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(events, "rowcount", 0) or 0) + int(getattr(messages, "rowcount", 0) or 0)
