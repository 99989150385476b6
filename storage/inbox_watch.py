"""What an operator sees of the inbox: what it holds, its dead letters, replaying them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inbox import InboxEvent, InboxState


@dataclass(frozen=True, slots=True)
class Depth:
    """What the inbox holds at one moment, per platform."""

    pending: dict[str, int]
    dead: dict[str, int]
    oldest_age: dict[str, float]


async def depth(session: AsyncSession, now: datetime) -> Depth:
    rows = await session.execute(
        select(
            InboxEvent.platform, InboxEvent.state, func.count(), func.min(InboxEvent.received_at)
        ).group_by(InboxEvent.platform, InboxEvent.state)
    )
    pending: dict[str, int] = {}
    dead: dict[str, int] = {}
    oldest: dict[str, float] = {}
    for platform, state, count, first in rows:
        if InboxState(state) is InboxState.DEAD:
            dead[platform] = int(count)
        else:
            pending[platform] = int(count)
            oldest[platform] = max((now - first).total_seconds(), 0.0)
    return Depth(pending, dead, oldest)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead event as an operator sees it: never its body, which may be anonymous content."""

    id: int
    platform: str
    workspace: str
    received_at: datetime
    attempts: int
    error: str | None


async def dead_letters(session: AsyncSession) -> list[DeadLetter]:
    rows = await session.scalars(
        select(InboxEvent).where(InboxEvent.state == InboxState.DEAD).order_by(InboxEvent.id)
    )
    return [
        DeadLetter(r.id, r.platform, r.workspace, r.received_at, r.attempts, r.error) for r in rows
    ]


async def replay(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> int:
    """Make dead events (these, or all when ``ids`` is None) wait to be handled again."""
    statement = update(InboxEvent).where(InboxEvent.state == InboxState.DEAD)
    if ids is not None:
        statement = statement.where(InboxEvent.id.in_(list(ids)))
    result = await session.execute(
        statement.values(state=InboxState.PENDING, attempts=0, available_at=now, leased_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
