"""Key results, learning stories, customer-impact stories and metric concerns.

Recognition never imports this module (an import-linter contract): shout-outs have no path to
key-result attainment.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, str_enum


class StoryResult(StrEnum):
    VALIDATED = "validated"
    INVALIDATED = "invalidated"
    INCONCLUSIVE = "inconclusive"


class StorySource(StrEnum):
    COMMAND = "command"
    FORM = "form"
    SHORTCUT = "shortcut"
    RETRO = "retro"


class KeyResult(Base):
    __tablename__ = "key_result"
    __table_args__ = (UniqueConstraint("team_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    # What must not get worse while the team pushes this result; None until a lead names it.
    guardrail: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def code(self) -> str:
        return f"KR{self.number}"


class LearningStory(Base):
    """What a team believed, tried and learned; an invalidated hypothesis counts as learning."""

    __tablename__ = "learning_story"
    __table_args__ = (Index("ix_learning_story_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    author_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    hypothesis: Mapped[str | None] = mapped_column(Text)
    tried: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    result: Mapped[StoryResult | None] = mapped_column(str_enum(StoryResult, "story_result"))
    adaptation: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    key_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("key_result.id", ondelete="SET NULL")
    )
    source: Mapped[StorySource] = mapped_column(str_enum(StorySource, "story_source"))
    awaiting_outcome: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImpactStory(Base):
    """How a customer's behaviour changed, and how we know."""

    __tablename__ = "impact_story"
    __table_args__ = (Index("ix_impact_story_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    author_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    who: Mapped[str | None] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    key_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("key_result.id", ondelete="SET NULL")
    )
    source: Mapped[StorySource] = mapped_column(str_enum(StorySource, "story_source"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConcernDecision(StrEnum):
    """What the team decided about a metric someone raised a concern about."""

    KEPT = "kept"
    CHANGED = "changed"
    REPLACED = "replaced"


class ConcernLoop:
    """What named and anonymous concerns share: the parts that say enough to act, the loop.

    ``reference`` (``C7``) is drawn at random among a team's unused ones, so it tells nothing
    about when a concern was raised or beside which others. Nothing here names a person.
    """

    reference: Mapped[int | None]  # None for concerns raised before references existed
    drives: Mapped[str | None] = mapped_column(Text)  # the behaviour the metric rewards
    harms: Mapped[str | None] = mapped_column(Text)  # who is harmed
    instead: Mapped[str | None] = mapped_column(Text)  # a better measure
    team_visible: Mapped[bool] = mapped_column(default=False, server_default=false())
    voices_named: Mapped[int] = mapped_column(default=0, server_default="0")
    voices_anonymous: Mapped[int] = mapped_column(default=0, server_default="0")
    answer: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[ConcernDecision | None] = mapped_column(
        str_enum(ConcernDecision, "concern_decision")
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def code(self) -> str:
        return f"C{self.reference}"


class MetricConcern(ConcernLoop, Base):
    """Someone's warning that a metric or target is pushing the team toward harm."""

    __tablename__ = "metric_concern"
    __table_args__ = (
        Index("ix_metric_concern_team_created", "team_id", "created_at"),
        UniqueConstraint("team_id", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    author_id: Mapped[str | None] = mapped_column(String(128))  # None once erased
    metric: Mapped[str] = mapped_column(Text)
    harm: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnonymousConcern(ConcernLoop, Base):
    """A metric concern raised anonymously: no author, only the day, a random id.

    Kept apart from named concerns so that neither ids nor row order place it among them;
    leads hear of it in the team's next morning notice (``told_at``), never as it is typed.
    """

    __tablename__ = "anonymous_concern"
    __table_args__ = (
        Index("ix_anonymous_concern_team_id", "team_id"),
        UniqueConstraint("team_id", "reference"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: random_id())
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(Text)
    harm: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date]
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the notice that told leads


def random_id() -> str:
    """An id that says nothing about when its row was written."""
    return secrets.token_hex(16)


async def key_results(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[KeyResult]:
    result = await session.scalars(
        select(KeyResult)
        .where(KeyResult.workspace_id == workspace_id, KeyResult.team_id == team_id)
        .order_by(KeyResult.number)
    )
    return result.all()


async def key_result_by_number(
    session: AsyncSession, *, workspace_id: int, team_id: int, number: int
) -> KeyResult | None:
    return await session.scalar(
        select(KeyResult).where(
            KeyResult.workspace_id == workspace_id,
            KeyResult.team_id == team_id,
            KeyResult.number == number,
        )
    )


async def next_key_result_number(session: AsyncSession, *, team_id: int) -> int:
    highest = await session.scalar(
        select(func.max(KeyResult.number)).where(KeyResult.team_id == team_id)
    )
    return (highest or 0) + 1


async def latest_awaiting_outcome(
    session: AsyncSession, *, workspace_id: int, author_id: str
) -> LearningStory | None:
    return await session.scalar(
        select(LearningStory)
        .where(
            LearningStory.workspace_id == workspace_id,
            LearningStory.author_id == author_id,
            LearningStory.awaiting_outcome.is_(True),
        )
        .order_by(LearningStory.created_at.desc(), LearningStory.id.desc())
        .limit(1)
    )


async def learning_stories_since(
    session: AsyncSession, *, workspace_id: int, team_id: int, since: datetime
) -> Sequence[LearningStory]:
    result = await session.scalars(
        select(LearningStory)
        .where(
            LearningStory.workspace_id == workspace_id,
            LearningStory.team_id == team_id,
            LearningStory.created_at >= since,
        )
        .order_by(LearningStory.created_at, LearningStory.id)
    )
    return result.all()


async def untold_anonymous_concerns(
    session: AsyncSession, *, before: date
) -> Sequence[AnonymousConcern]:
    """Every workspace's anonymous concerns raised before ``before`` and not yet told to leads."""
    result = await session.scalars(
        select(AnonymousConcern)
        .where(AnonymousConcern.told_at.is_(None), AnonymousConcern.raised_on < before)
        .order_by(AnonymousConcern.team_id, AnonymousConcern.metric, AnonymousConcern.id)
    )
    return result.all()
