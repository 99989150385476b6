"""What a team's learning ledger counts, read as the few columns it needs, never as people.

No query here selects an author: the ledger is a team's, quarter by quarter, and nothing in it
can be grouped by person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.okr import AnonymousConcern, ImpactStory, LearningStory, MetricConcern, StoryResult
from storage.retro import Adaptation


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
) -> Sequence[Adaptation]:
    """The team's adaptations, oldest first."""
    result = await session.scalars(
        select(Adaptation)
        .where(Adaptation.workspace_id == workspace_id, Adaptation.team_id == team_id)
        .order_by(Adaptation.created_at, Adaptation.id)
    )
    return result.all()


async def concern_days(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[datetime | date]:
    """When each metric concern was raised: a time if named, only the day if anonymous."""
    named = await session.scalars(
        select(MetricConcern.created_at).where(
            MetricConcern.workspace_id == workspace_id, MetricConcern.team_id == team_id
        )
    )
    anonymous = await session.scalars(
        select(AnonymousConcern.raised_on).where(
            AnonymousConcern.workspace_id == workspace_id, AnonymousConcern.team_id == team_id
        )
    )
    return [*named.all(), *anonymous.all()]
