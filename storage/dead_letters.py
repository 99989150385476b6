"""What an operator sees of the outbox: messages not sent, dead letters, sending them again."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.core import Workspace
from storage.outbox import DeadReason, OutboxMessage, OutboxStatus


@dataclass(frozen=True, slots=True)
class Listed:
    """A message as an operator sees it: never its text, which may be anonymous content."""

    id: int
    platform: str
    workspace: str
    audience: str
    target_id: str
    status: OutboxStatus
    created_at: datetime
    attempts: int
    reason: str | None
    error: str | None


async def unsent_messages(
    session: AsyncSession, *, dead: bool, workspace: str | None = None, limit: int = 1000
) -> list[Listed]:
    """Messages still waiting (or, with ``dead``, dead letters), oldest first."""
    wanted = OutboxStatus.FAILED if dead else OutboxStatus.PENDING
    statement = (
        select(OutboxMessage, Workspace)
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(OutboxMessage.status == wanted)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if workspace is not None:
        statement = statement.where(Workspace.external_id == workspace)
    return [
        Listed(
            m.id,
            w.platform,
            w.external_id,
            m.audience,
            m.target_id,
            m.status,
            m.created_at,
            m.attempts,
            m.dead_reason,
            m.last_error,
        )
        for m, w in await session.execute(statement)
    ]


async def revive(
    session: AsyncSession, *, now: datetime, ids: Collection[int] | None = None
) -> int:
    """Put dead letters (``ids``, or all of them) back in the queue; return how many."""
    statement = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if ids is not None:
        statement = statement.where(OutboxMessage.id.in_(list(ids)))
    result = await session.execute(
        statement.values(
            status=OutboxStatus.PENDING,
            available_at=now,
            leased_until=None,
            failing_since=None,
            dead_reason=None,
            attempts=0,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def dead_letters(session: AsyncSession) -> dict[tuple[str, str], int]:
    """How many dead letters there are, by platform and reason class."""
    rows = await session.execute(
        select(Workspace.platform, OutboxMessage.dead_reason, func.count())
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .group_by(Workspace.platform, OutboxMessage.dead_reason)
    )
    return {(platform, reason or DeadReason.REFUSED.value): n for platform, reason, n in rows}
