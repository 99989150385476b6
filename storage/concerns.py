"""The loop around metric concerns: references, voices, open and answered concerns.

A voice is kept as a keyed hash of who gave it and to which concern, with no time and no
order, only so that nobody adds their voice twice; the concern keeps the counts.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import ledger
from storage.base import Base
from storage.okr import AnonymousConcern, MetricConcern

Concern = MetricConcern | AnonymousConcern


class ConcernVoice(Base):
    """That someone added their voice to a concern: a keyed hash, never the person."""

    __tablename__ = "concern_voice"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    reference: Mapped[int] = mapped_column(primary_key=True)
    marker: Mapped[str] = mapped_column(String(64), primary_key=True)


def voice_marker(session: AsyncSession, *, team_id: int, reference: int, user_id: str) -> str:
    """Who voiced which concern, hashed with the deployment's key (see docs/privacy.md)."""
    key = session.info.get(ledger.EVENT_KEY)
    message = f"concern voice:{team_id}:{reference}:{user_id}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def add_voice(session: AsyncSession, *, team_id: int, reference: int, marker: str) -> bool:
    """Note a voice once; False if this marker was noted already."""
    return await ledger.insert_ignoring_duplicates(
        session,
        ConcernVoice.__table__,  # type: ignore[arg-type]
        {"team_id": team_id, "reference": reference, "marker": marker},
    )


async def used_references(session: AsyncSession, *, team_id: int) -> set[int]:
    named = await session.scalars(
        select(MetricConcern.reference).where(
            MetricConcern.team_id == team_id, MetricConcern.reference.is_not(None)
        )
    )
    anonymous = await session.scalars(
        select(AnonymousConcern.reference).where(
            AnonymousConcern.team_id == team_id, AnonymousConcern.reference.is_not(None)
        )
    )
    return {r for r in [*named, *anonymous] if r is not None}


async def by_reference(
    session: AsyncSession, *, workspace_id: int, team_id: int, reference: int
) -> Concern | None:
    for model in (MetricConcern, AnonymousConcern):
        found: Concern | None = await session.scalar(
            select(model).where(
                model.workspace_id == workspace_id,
                model.team_id == team_id,
                model.reference == reference,
            )
        )
        if found is not None:
            return found
    return None


def raised_on(concern: Concern) -> date:
    """The day a concern was raised: all that is kept of an anonymous one's time."""
    if isinstance(concern, MetricConcern):
        return concern.created_at.date()
    return concern.raised_on


async def unescalated_before(session: AsyncSession, *, before: date) -> Sequence[Concern]:
    """Every workspace's open concerns raised before ``before`` and not yet escalated."""
    named = await session.scalars(
        select(MetricConcern).where(
            MetricConcern.reference.is_not(None),
            MetricConcern.answered_at.is_(None),
            MetricConcern.escalated_at.is_(None),
            MetricConcern.created_at < datetime.combine(before, datetime.min.time(), tzinfo=UTC),
        )
    )
    anonymous = await session.scalars(
        select(AnonymousConcern).where(
            AnonymousConcern.reference.is_not(None),
            AnonymousConcern.answered_at.is_(None),
            AnonymousConcern.escalated_at.is_(None),
            AnonymousConcern.told_at.is_not(None),
            AnonymousConcern.raised_on < before,
        )
    )
    return [*named, *anonymous]


class EscalationChannel(Base):
    """Where a workspace's concerns go when their leads leave them unanswered too long."""

    __tablename__ = "escalation_channel"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(128))
    after_days: Mapped[int] = mapped_column(default=14, server_default="14")


async def escalation_channels(session: AsyncSession) -> dict[int, EscalationChannel]:
    """Every workspace's escalation channel, by workspace (planners walk them all on purpose)."""
    found = await session.scalars(select(EscalationChannel))
    return {row.workspace_id: row for row in found}


async def escalation_channel(
    session: AsyncSession, *, workspace_id: int
) -> EscalationChannel | None:
    return await session.get(EscalationChannel, workspace_id)
