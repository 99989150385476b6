"""The outbox: messages written with the work that causes them, claimed and sent once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from storage.base import WORK_WAITING, Base, UTCDateTime, str_enum
from storage.core import Workspace
from storage.ledger import insert_all_ignoring_duplicates


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # a dead letter: it will not be sent unless an operator retries it


class DeadReason(StrEnum):
    """Why a message was given up, in classes an operator acts on differently."""

    REFUSED = "refused"  # the platform refused it for good: channel gone, bot removed
    UNAUTHORIZED = "unauthorized"  # the platform refused the bot's credentials
    EXPIRED = "expired"  # the platform kept failing for longer than okrbot waits


class OutboxMessage(Base):
    """A message waiting to be delivered, written in the same transaction as its cause."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index("ix_outbox_message_due", "status", "available_at"),
        # The claim asks, for each candidate, whether an earlier message of its conversation
        # is still pending; this answers that from the index alone.
        Index(
            "ix_outbox_message_conversation",
            "workspace_id",
            "target_id",
            "audience",
            "status",
            "id",
        ),
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
    attempts: Mapped[int] = mapped_column(default=0)  # sends that failed (rate limits aside)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first taken to send
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    dead_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def enqueue(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Add outbound messages (``row``s) in one statement per 500, skipping keys seen before;
    count the new ones."""
    written = await insert_all_ignoring_duplicates(
        session,
        OutboxMessage.__table__,  # type: ignore[arg-type]
        rows,
    )
    if written:
        session.info[WORK_WAITING] = True
    return written


def row(
    *,
    workspace_id: int,
    key: str,
    audience: str,
    target_id: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> dict[str, Any]:
    """The values of a new outbound message's row."""
    return {
        "workspace_id": workspace_id,
        "idempotency_key": key,
        "audience": audience,
        "target_id": target_id,
        "payload": payload,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "available_at": not_before or now,
        "created_at": now,
    }


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message leased to this worker; ``uncertain`` when an earlier worker's lease ran out.

    An uncertain message was taken before and never recorded: its worker died, perhaps after
    the platform had accepted it.
    """

    message: OutboxMessage
    workspace: Workspace
    uncertain: bool


def _conversation_waits() -> Any:
    """True for a message with an earlier message of its conversation still pending."""
    earlier = aliased(OutboxMessage)
    return (
        select(earlier.id)
        .where(
            earlier.workspace_id == OutboxMessage.workspace_id,
            earlier.target_id == OutboxMessage.target_id,
            earlier.audience == OutboxMessage.audience,
            earlier.status == OutboxStatus.PENDING,
            earlier.id < OutboxMessage.id,
        )
        .exists()
    )


async def claim_due_messages(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    platforms: Collection[str],
) -> list[Claimed]:
    """Lease due messages to this worker; other workers skip rows locked or leased here.

    Only the first pending message of each conversation is taken, so a message never
    overtakes an earlier one that waits (rate limited, backing off, or in another worker's
    hands). Only messages for ``platforms`` (those this process can send to) are taken. On
    PostgreSQL the rows are locked (SKIP LOCKED). Leasing is also one conditional write, so a
    row another worker leased a moment ago (SQLite, or a lease that just ran out) is left to
    that worker.
    """
    due = (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.available_at <= now,
        or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now),
    )
    statement = (
        select(OutboxMessage.id, OutboxMessage.leased_until)
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(*due, ~_conversation_waits(), Workspace.platform.in_(list(platforms)))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    candidates = {row_id: held for row_id, held in await session.execute(statement)}
    if not candidates:
        return []
    leased = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(candidates)), *due)
        .values(
            leased_until=now + lease,
            claimed_at=func.coalesce(OutboxMessage.claimed_at, now),
        )
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
    return [Claimed(m, w, candidates[m.id] is not None) for m, w in rows]


async def renew_leases(session: AsyncSession, *, ids: Collection[int], until: datetime) -> None:
    """Extend the leases of messages this worker still holds (its heartbeat)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.leased_until.is_not(None),
        )
        .values(leased_until=until)
    )


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
    session: AsyncSession,
    *,
    message_id: int,
    available_at: datetime,
    error: str,
    failed_at: datetime | None = None,
) -> None:
    """Make a message due again later; ``failed_at`` counts a failed attempt (not a 429)."""
    values: dict[str, Any] = {
        "available_at": available_at,
        "leased_until": None,
        "last_error": error[:2000],
    }
    if failed_at is not None:
        values["attempts"] = OutboxMessage.attempts + 1
        values["failing_since"] = func.coalesce(OutboxMessage.failing_since, failed_at)
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def mark_failed(
    session: AsyncSession,
    *,
    message_id: int,
    error: str,
    reason: DeadReason = DeadReason.REFUSED,
    counted: bool = True,
) -> None:
    """Make a message a dead letter, with why."""
    values: dict[str, Any] = {
        "status": OutboxStatus.FAILED,
        "leased_until": None,
        "last_error": error[:2000],
        "dead_reason": reason.value,
    }
    if counted:
        values["attempts"] = OutboxMessage.attempts + 1
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )
