"""What a team's learning ledger counts, read as the few columns it needs, never as people.

No query here selects an author: the ledger is a team's, quarter by quarter, and nothing in it
can be grouped by person. An adaptation's owner is kept only to ask them on its date, and is
never counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple, TypeVar

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, str_enum
from storage.core import Team
from storage.okr import (
    AnonymousConcern,
    ConcernDecision,
    ImpactStory,
    LearningStory,
    MetricConcern,
    StoryResult,
)
from storage.retro import Adaptation, CycleStatus, RetroCycle


class Fate(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class FollowThrough(Base):
    """Who looks after an adaptation (a person who named themselves, or the team) and until when.

    ``owner_id`` None means the team: its channel is asked on ``due_on``.
    """

    __tablename__ = "follow_through"

    adaptation_id: Mapped[int] = mapped_column(
        ForeignKey("adaptation.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    owner_id: Mapped[str | None] = mapped_column(String(128))
    due_on: Mapped[date | None]
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fate: Mapped[Fate] = mapped_column(str_enum(Fate, "adaptation_fate"), default=Fate.OPEN)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


async def follow_through(
    session: AsyncSession, *, workspace_id: int, adaptation_id: int
) -> FollowThrough | None:
    return await session.scalar(
        select(FollowThrough).where(
            FollowThrough.workspace_id == workspace_id,
            FollowThrough.adaptation_id == adaptation_id,
        )
    )


async def adaptation(
    session: AsyncSession, *, workspace_id: int, adaptation_id: int
) -> Adaptation | None:
    return await session.scalar(
        select(Adaptation).where(
            Adaptation.workspace_id == workspace_id, Adaptation.id == adaptation_id
        )
    )


async def story_results(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[tuple[datetime, StoryResult | None]]:
    """When each learning story was told, and the result of its hypothesis."""
    result = await session.execute(
        select(LearningStory.created_at, LearningStory.result).where(
            LearningStory.workspace_id == workspace_id, LearningStory.team_id == team_id
        )
    )
    return [(row[0], row[1]) for row in result.all()]


async def impact_evidence(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[tuple[datetime, bool]]:
    """When each customer-impact story was told, and whether it gives evidence."""
    result = await session.execute(
        select(ImpactStory.created_at, ImpactStory.evidence).where(
            ImpactStory.workspace_id == workspace_id, ImpactStory.team_id == team_id
        )
    )
    return [(row[0], bool(row[1] and row[1].strip())) for row in result.all()]


async def adaptations(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[tuple[Adaptation, FollowThrough | None]]:
    """The team's adaptations, oldest first, each with its follow-through if it has one."""
    result = await session.execute(
        select(Adaptation, FollowThrough)
        .outerjoin(FollowThrough, FollowThrough.adaptation_id == Adaptation.id)
        .where(Adaptation.workspace_id == workspace_id, Adaptation.team_id == team_id)
        .order_by(Adaptation.created_at, Adaptation.id)
    )
    return [(row[0], row[1]) for row in result.all()]


async def concern_days(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[tuple[datetime | date, bool]]:
    """When each metric concern was raised (a time if named, only the day if anonymous), and
    whether the leads have answered it."""
    named = await session.execute(
        select(MetricConcern.created_at, MetricConcern.answered_at.is_not(None)).where(
            MetricConcern.workspace_id == workspace_id, MetricConcern.team_id == team_id
        )
    )
    anonymous = await session.execute(
        select(AnonymousConcern.raised_on, AnonymousConcern.answered_at.is_not(None)).where(
            AnonymousConcern.workspace_id == workspace_id, AnonymousConcern.team_id == team_id
        )
    )
    return [(row[0], bool(row[1])) for row in [*named.all(), *anonymous.all()]]


class QuarterConcern(NamedTuple):
    """A concern as a quarter's report shows it: what it is about, and the team's answer."""

    metric: str
    harm: str
    answer: str | None
    decision: ConcernDecision | None


StoryKind = TypeVar("StoryKind", LearningStory, ImpactStory)


async def stories_between(
    session: AsyncSession,
    model: type[StoryKind],
    *,
    workspace_id: int,
    team_id: int,
    start: datetime,
    end: datetime,
) -> Sequence[StoryKind]:
    """A team's stories of one kind told in ``[start, end)``, oldest first."""
    result = await session.scalars(
        select(model)
        .where(
            model.workspace_id == workspace_id,
            model.team_id == team_id,
            model.created_at >= start,
            model.created_at < end,
        )
        .order_by(model.created_at, model.id)
    )
    return result.all()


async def concerns_between(
    session: AsyncSession, *, workspace_id: int, team_id: int, start: datetime, end: datetime
) -> Sequence[QuarterConcern]:
    """Each concern raised in ``[start, end)`` and its answer, never who raised it.

    Anonymous concerns count once the leads were told of them, and by their day only.
    """
    named = await session.execute(
        select(
            MetricConcern.metric, MetricConcern.harm, MetricConcern.answer, MetricConcern.decision
        )
        .where(
            MetricConcern.workspace_id == workspace_id,
            MetricConcern.team_id == team_id,
            MetricConcern.created_at >= start,
            MetricConcern.created_at < end,
        )
        .order_by(MetricConcern.created_at, MetricConcern.id)
    )
    anonymous = await session.execute(
        select(
            AnonymousConcern.metric,
            AnonymousConcern.harm,
            AnonymousConcern.answer,
            AnonymousConcern.decision,
        )
        .where(
            AnonymousConcern.workspace_id == workspace_id,
            AnonymousConcern.team_id == team_id,
            AnonymousConcern.told_at.is_not(None),
            AnonymousConcern.raised_on >= start.date(),
            AnonymousConcern.raised_on < end.date(),
        )
        .order_by(AnonymousConcern.metric, AnonymousConcern.harm)
    )
    return [QuarterConcern(*row) for row in [*named.all(), *anonymous.all()]]


async def closed_since(
    session: AsyncSession, *, since: datetime
) -> Sequence[tuple[RetroCycle, Team]]:
    """Every workspace's retrospectives closed since ``since``, with their teams."""
    result = await session.execute(
        select(RetroCycle, Team)
        .join(Team, Team.id == RetroCycle.team_id)
        .where(RetroCycle.status == CycleStatus.CLOSED, RetroCycle.closed_at >= since)
        .order_by(RetroCycle.closed_at, RetroCycle.id)
    )
    return [(row[0], row[1]) for row in result.all()]
