"""The processed-event ledger and the outbox: how okrbot is exactly-once at its edges."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from storage.base import Base, UTCDateTime, str_enum
from storage.core import Workspace


class ProcessedEvent(Base):
    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A message waiting to be delivered, written in the same transaction as its cause."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index("ix_outbox_message_due", "status", "available_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    audience: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: Mapping[str, Any]
) -> bool:
    """Insert one row unless a unique constraint says it exists; tell whether it was new."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases exist
        raise RuntimeError(f"unsupported database: {dialect}")
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def record_event(
    session: AsyncSession, *, platform: str, event_id: str, now: datetime
) -> bool:
    """Note that an inbound event was handled; False when it had been already."""
    return await insert_ignoring_duplicates(
        session,
        ProcessedEvent.__table__,  # type: ignore[arg-type]
        {"platform": platform, "event_id": event_id, "processed_at": now},
    )


async def enqueue(
    session: AsyncSession,
    *,
    workspace_id: int,
    key: str,
    audience: str,
    target_id: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Add an outbound message unless one with the same key exists; tell whether it was new."""
    return await insert_ignoring_duplicates(
        session,
        OutboxMessage.__table__,  # type: ignore[arg-type]
        {
            "workspace_id": workspace_id,
            "idempotency_key": key,
            "audience": audience,
            "target_id": target_id,
            "payload": payload,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "available_at": not_before or now,
            "created_at": now,
        },
    )


async def claim_due_messages(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    platforms: Collection[str],
) -> Sequence[tuple[OutboxMessage, Workspace]]:
    """Lease due messages to this worker; other workers skip rows locked or leased here.

    Only messages for ``platforms`` (those this process can send to) are taken. On PostgreSQL
    the rows are locked (SKIP LOCKED). Leasing is also one conditional write, so a row another
    worker leased a moment ago (SQLite, or a lease that just ran out) is left to that worker.
    Messages are taken in the order they were written, and a message waits while an earlier
    one to the same conversation waits or is out with a worker, so the pages of a long reply
    never overtake each other.
    """
    earlier = aliased(OutboxMessage)
    queued_behind = exists().where(
        earlier.workspace_id == OutboxMessage.workspace_id,
        earlier.audience == OutboxMessage.audience,
        earlier.target_id == OutboxMessage.target_id,
        earlier.status == OutboxStatus.PENDING,
        earlier.id < OutboxMessage.id,
        or_(earlier.available_at > now, earlier.leased_until > now),
    )
    due = (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.available_at <= now,
        or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now),
        ~queued_behind,
    )
    statement = (
        select(OutboxMessage, Workspace)
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(*due, Workspace.platform.in_(list(platforms)))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    candidates = [message.id for message, _ in await session.execute(statement)]
    if not candidates:
        return []
    leased = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), *due)
        .values(leased_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(leased)
    rows = await session.execute(
        select(OutboxMessage, Workspace)
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return [(message, workspace) for message, workspace in rows]


async def mark_sent(
    session: AsyncSession, *, message_id: int, platform_message_id: str, now: datetime
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            message_id=platform_message_id,
            leased_until=None,
            last_error=None,
        )
    )


async def mark_retry(
    session: AsyncSession, *, message_id: int, available_at: datetime, error: str
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(available_at=available_at, leased_until=None, last_error=error[:2000])
    )


async def hold_back(session: AsyncSession, *, message_id: int, available_at: datetime) -> None:
    """Give a claimed message back unsent and its attempt uncounted: an earlier one must wait."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            available_at=available_at,
            leased_until=None,
            attempts=OutboxMessage.attempts - 1,
        )
    )


async def mark_failed(session: AsyncSession, *, message_id: int, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OutboxStatus.FAILED, leased_until=None, last_error=error[:2000])
    )
