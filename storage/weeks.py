"""A week of many teams read at once: what the Monday digests of many leads need.

Each read takes the teams by ``team_id IN (...)`` and returns, for every team asked about
(one team alone included: a lead asking for their digest now), its rows in the order the
digest tells them, so a pass of a thousand leads costs one statement per table instead of
one per table and team. Every read is scoped to its workspace.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from storage.concerns import Concern, raised_on
from storage.core import Team, TeamLead
from storage.okr import AnonymousConcern, ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.retro import Adaptation


class _OfTeam(Protocol):
    team_id: Any


Row = TypeVar("Row", bound=_OfTeam)


def by_team(team_ids: Collection[int], rows: Iterable[Row]) -> dict[int, list[Row]]:
    """Rows per team, in the order they came; a team with none has an empty list."""
    grouped: dict[int, list[Row]] = {team_id: [] for team_id in team_ids}
    for row in rows:
        grouped[row.team_id].append(row)
    return grouped


async def teams_led_by(
    session: AsyncSession, *, workspace_id: int, user_ids: Collection[str]
) -> dict[str, list[Team]]:
    """The teams each of ``user_ids`` leads here, by name (their leads are not loaded)."""
    found = await session.execute(
        select(TeamLead.user_id, Team)
        .join(Team, Team.id == TeamLead.team_id)
        .where(Team.workspace_id == workspace_id, TeamLead.user_id.in_(list(user_ids)))
        .options(raiseload(Team.leads))
        .order_by(Team.name_key)
    )
    led: dict[str, list[Team]] = {user_id: [] for user_id in user_ids}
    for user_id, team in found:
        led[user_id].append(team)
    return led


async def learning_stories_since(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int], since: datetime
) -> dict[int, list[LearningStory]]:
    found = await session.scalars(
        select(LearningStory)
        .where(
            LearningStory.workspace_id == workspace_id,
            LearningStory.team_id.in_(list(team_ids)),
            LearningStory.created_at >= since,
        )
        .order_by(LearningStory.created_at, LearningStory.id)
    )
    return by_team(team_ids, found)


async def impact_stories_since(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int], since: datetime
) -> dict[int, list[ImpactStory]]:
    found = await session.scalars(
        select(ImpactStory)
        .where(
            ImpactStory.workspace_id == workspace_id,
            ImpactStory.team_id.in_(list(team_ids)),
            ImpactStory.created_at >= since,
        )
        .order_by(ImpactStory.created_at, ImpactStory.id)
    )
    return by_team(team_ids, found)


async def key_results(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int]
) -> dict[int, list[KeyResult]]:
    found = await session.scalars(
        select(KeyResult)
        .where(KeyResult.workspace_id == workspace_id, KeyResult.team_id.in_(list(team_ids)))
        .order_by(KeyResult.number)
    )
    return by_team(team_ids, found)


async def adaptations_awaiting_follow_up(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int]
) -> dict[int, list[Adaptation]]:
    found = await session.scalars(
        select(Adaptation)
        .where(
            Adaptation.workspace_id == workspace_id,
            Adaptation.team_id.in_(list(team_ids)),
            Adaptation.followed_up_at.is_(None),
        )
        .order_by(Adaptation.id)
    )
    return by_team(team_ids, found)


@dataclass(frozen=True, slots=True)
class TeamsConcerns:
    """Each team's concerns the digest tells of: those raised in the week (named ones oldest
    first, then the anonymous ones told to the leads, in an order of no meaning), and those
    still unanswered (oldest raised first, then by metric and harm; named ones first)."""

    raised: dict[int, list[MetricConcern | AnonymousConcern]]
    waiting: dict[int, list[Concern]]


async def concerns(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int], since: datetime
) -> TeamsConcerns:
    """The week's and the open concerns of many teams: one read of each kind for both."""
    named = (
        await session.scalars(
            select(MetricConcern)
            .where(
                MetricConcern.workspace_id == workspace_id,
                MetricConcern.team_id.in_(list(team_ids)),
                or_(
                    MetricConcern.created_at >= since,
                    and_(MetricConcern.reference.is_not(None), MetricConcern.answered_at.is_(None)),
                ),
            )
            .order_by(MetricConcern.created_at, MetricConcern.id)
        )
    ).all()
    anonymous = (
        await session.scalars(
            select(AnonymousConcern)
            .where(
                AnonymousConcern.workspace_id == workspace_id,
                AnonymousConcern.team_id.in_(list(team_ids)),
                AnonymousConcern.told_at.is_not(None),
                or_(
                    AnonymousConcern.told_at >= since,
                    and_(
                        AnonymousConcern.reference.is_not(None),
                        AnonymousConcern.answered_at.is_(None),
                    ),
                ),
            )
            .order_by(AnonymousConcern.metric, AnonymousConcern.harm, AnonymousConcern.id)
        )
    ).all()
    raised: list[MetricConcern | AnonymousConcern] = [c for c in named if c.created_at >= since]
    raised += [c for c in anonymous if c.told_at is not None and c.told_at >= since]
    # Unanswered: named ones first, each kind by id, then (stably) oldest raised first.
    open_named = sorted((c for c in named if _open(c)), key=lambda c: c.id)
    open_anonymous = sorted((c for c in anonymous if _open(c)), key=lambda c: c.id)
    waiting: list[Concern] = [*open_named, *open_anonymous]
    waiting.sort(key=lambda c: (raised_on(c), c.metric, c.harm))
    return TeamsConcerns(raised=by_team(team_ids, raised), waiting=by_team(team_ids, waiting))


def _open(concern: Concern) -> bool:
    return concern.reference is not None and concern.answered_at is None
