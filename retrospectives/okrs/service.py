"""What the retrospectives domain does to the data. Session first; nothing here commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives import schedules, texts
from retrospectives.errors import InvalidInput, NotALead, NoTeamHere
from retrospectives.okrs import guardrails, stories
from retrospectives.okrs.commands import KeyResultRef, StoryDraft
from storage import core, okr
from storage.core import Team, TeamLead
from storage.okr import (
    AnonymousConcern,
    ImpactStory,
    KeyResult,
    LearningStory,
    MetricConcern,
    StorySource,
)

DEFAULT_TIMEZONE = "UTC"


async def create_team(
    session: AsyncSession,
    *,
    workspace_id: int,
    channel_id: str,
    name: str,
    timezone: str | None,
    creator_id: str,
    now: datetime,
) -> Team:
    """Bind a new team to a channel; the person who creates it becomes its first lead."""
    bound = await core.team_by_channel(session, workspace_id=workspace_id, channel_id=channel_id)
    if bound is not None:
        raise InvalidInput(texts.channel_taken(bound.name))
    if await core.team_by_name(session, workspace_id=workspace_id, name=name) is not None:
        raise InvalidInput(texts.team_name_taken(name))
    try:
        async with session.begin_nested():
            team = core.add_team(
                session,
                workspace_id=workspace_id,
                name=name,
                channel_id=channel_id,
                timezone=timezone or DEFAULT_TIMEZONE,
                created_by=creator_id,
                now=now,
            )
    except IntegrityError:  # someone created the same team a moment ago
        raise InvalidInput(texts.team_name_taken(name)) from None
    return team


async def find_team(
    session: AsyncSession,
    *,
    workspace_id: int,
    channel_id: str,
    user_id: str,
    name: str | None = None,
    leads: bool = True,
) -> Team:
    """Find the team a command is about: named, else this channel's, else the one you lead."""
    if name:
        team = await core.team_by_name(session, workspace_id=workspace_id, name=name, leads=leads)
        if team is None:
            raise NoTeamHere(texts.no_team_named(name))
        return team
    team = await core.team_by_channel(
        session, workspace_id=workspace_id, channel_id=channel_id, leads=leads
    )
    if team is not None:
        return team
    led = await core.teams_led_by(session, workspace_id=workspace_id, user_id=user_id)
    if len(led) == 1:
        return led[0]
    raise NoTeamHere(texts.NO_TEAM_HERE)


def require_lead(team: Team, user_id: str) -> None:
    """Refuse anyone but a lead of this very team, naming who can do it instead."""
    if not team.is_lead(user_id):
        raise NotALead(texts.only_leads(team.name, lead_ids(team)))


def lead_ids(team: Team) -> list[str]:
    return sorted(lead.user_id for lead in team.leads)


async def claim_team(session: AsyncSession, *, team: Team, user_id: str, now: datetime) -> None:
    """Make someone in the team's channel its lead, only when it has no lead left."""
    if team.leads:
        raise NotALead(texts.claim_taken(team.name, lead_ids(team)))
    team.leads.append(TeamLead(user_id=user_id, added_at=now))
    await session.flush()


async def add_lead(
    session: AsyncSession, *, team: Team, user_id: str, added_by: str, now: datetime
) -> bool:
    """Make someone a lead of the team; False if they already were."""
    require_lead(team, added_by)
    if team.is_lead(user_id):
        return False
    team.leads.append(TeamLead(user_id=user_id, added_at=now))
    await session.flush()
    return True


async def add_key_result(
    session: AsyncSession,
    *,
    team: Team,
    text: str,
    guardrail: str | None,
    added_by: str,
    now: datetime,
) -> KeyResult:
    """Record one of the team's key results, numbered KR1, KR2, ... within the team."""
    require_lead(team, added_by)
    if not text.strip():
        raise InvalidInput(texts.KR_EMPTY)
    if len(text) > 500:
        raise InvalidInput(texts.KR_TOO_LONG)
    _check_guardrail(guardrail)
    number = await okr.next_key_result_number(session, team_id=team.id)
    key_result = KeyResult(
        workspace_id=team.workspace_id,
        team_id=team.id,
        number=number,
        text=text.strip(),
        guardrail=guardrail,
        created_by=added_by,
        created_at=now,
    )
    session.add(key_result)
    await session.flush()
    return key_result


async def set_guardrail(
    session: AsyncSession, *, team: Team, number: int, guardrail: str, set_by: str
) -> KeyResult:
    """Name (or rename) what must not get worse while the team pushes one of its key results."""
    require_lead(team, set_by)
    _check_guardrail(guardrail)
    key_result = await okr.key_result_by_number(
        session, workspace_id=team.workspace_id, team_id=team.id, number=number
    )
    if key_result is None:
        raise InvalidInput(guardrails.unknown_key_result(team.name, f"KR{number}"))
    key_result.guardrail = guardrail
    await session.flush()
    return key_result


def _check_guardrail(guardrail: str | None) -> None:
    if guardrail is not None and len(guardrail) > guardrails.MAX_GUARDRAIL:
        raise InvalidInput(guardrails.GUARDRAIL_TOO_LONG)


async def cited_key_result(
    session: AsyncSession, *, team: Team, cited: KeyResultRef | None
) -> KeyResult | None:
    """Find the key result a story cites (``KR2``), refusing references that do not exist."""
    if cited is None:
        return None
    found = (
        None
        if cited.number is None
        else await okr.key_result_by_number(
            session, workspace_id=team.workspace_id, team_id=team.id, number=cited.number
        )
    )
    if found is None:
        known = await okr.key_results(session, workspace_id=team.workspace_id, team_id=team.id)
        raise InvalidInput(
            texts.unknown_key_result(cited.typed, [k.code for k in known]),
            form_errors={"kr": texts.KR_REFERENCE_HINT},
        )
    return found


async def record_learning_story(
    session: AsyncSession,
    *,
    team: Team,
    author_id: str | None,
    draft: StoryDraft,
    source: StorySource,
    awaiting_outcome: bool,
    now: datetime,
) -> LearningStory:
    """Keep a learning story; an invalidated hypothesis is as welcome as a validated one."""
    key_result = await cited_key_result(session, team=team, cited=draft.cited)
    story = stories.learning_story(
        workspace_id=team.workspace_id,
        team_id=team.id,
        author_id=author_id,
        draft=draft,
        source=source,
        now=now,
        key_result_id=key_result.id if key_result else None,
        awaiting_outcome=awaiting_outcome,
    )
    session.add(story)
    await session.flush()
    return story


async def record_impact_story(
    session: AsyncSession,
    *,
    team: Team,
    author_id: str | None,
    draft: StoryDraft,
    source: StorySource,
    now: datetime,
) -> ImpactStory:
    """Keep a story of how a customer's behaviour changed."""
    key_result = await cited_key_result(session, team=team, cited=draft.cited)
    story = stories.impact_story(
        workspace_id=team.workspace_id,
        team_id=team.id,
        author_id=author_id,
        draft=draft,
        source=source,
        now=now,
        key_result_id=key_result.id if key_result else None,
    )
    session.add(story)
    await session.flush()
    return story


async def add_outcome(
    session: AsyncSession, *, workspace_id: int, author_id: str, outcome: str
) -> LearningStory:
    """Add what changed for customers to the person's latest output-only story."""
    if not outcome.strip():
        raise InvalidInput(texts.OUTCOME_EMPTY)
    if len(outcome) > 3000:
        raise InvalidInput(texts.field_too_long("outcome", 3000))
    story = await okr.latest_awaiting_outcome(
        session, workspace_id=workspace_id, author_id=author_id
    )
    if story is None:
        raise InvalidInput(texts.NO_STORY_AWAITING_OUTCOME)
    story.outcome = outcome.strip()
    story.awaiting_outcome = False
    await session.flush()
    return story


async def raise_concern(
    session: AsyncSession,
    *,
    team: Team,
    author_id: str,
    metric: str,
    harm: str,
    now: datetime,
) -> MetricConcern:
    """Record, under the person's name, that a metric is pushing the team toward harm."""
    concern = MetricConcern(
        workspace_id=team.workspace_id,
        team_id=team.id,
        author_id=author_id,
        metric=metric,
        harm=harm,
        created_at=now,
    )
    session.add(concern)
    await session.flush()
    return concern


async def raise_anonymous_concern(
    session: AsyncSession, *, team: Team, metric: str, harm: str, now: datetime
) -> datetime:
    """Keep a concern with no author and only its day; return when the leads will hear of it."""
    session.add(
        AnonymousConcern(
            workspace_id=team.workspace_id,
            team_id=team.id,
            metric=metric,
            harm=harm,
            raised_on=now.date(),
        )
    )
    await session.flush()
    return schedules.concern_notice_time(now.date(), team.timezone)
