"""What a team learned over time, read through storage; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives import texts as shared_texts
from retrospectives.errors import NoTeamHere
from retrospectives.learning import texts
from retrospectives.learning.commands import Quarter, StorySearch
from storage import core, okr, search
from storage.core import Team

SEARCH_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Found:
    """The stories a search found among the person's teams, and whether more matched."""

    teams: Sequence[Team]
    stories: Sequence[search.Story]
    more: bool
    key_results: dict[int, str]


def quarter_of(moment: datetime, timezone: str) -> Quarter:
    """The quarter ``moment`` falls in, in the team's timezone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return Quarter(local.year, (local.month - 1) // 3 + 1)


def quarter_bounds(quarter: Quarter, timezone: str) -> tuple[datetime, datetime]:
    """The quarter's first instant and the next quarter's, in the team's timezone."""
    zone = ZoneInfo(timezone)
    first_month = 3 * (quarter.number - 1) + 1
    start = datetime.combine(date(quarter.year, first_month, 1), time(0), zone)
    end_year, end_month = (
        (quarter.year + 1, 1) if quarter.number == 4 else (quarter.year, first_month + 3)
    )
    return start, datetime.combine(date(end_year, end_month, 1), time(0), zone)


async def search_stories(
    session: AsyncSession, *, workspace_id: int, user_id: str, request: StorySearch
) -> Found:
    """The stories of the person's teams in this workspace that match, newest first."""
    teams = await core.teams_of_person(session, workspace_id=workspace_id, user_id=user_id)
    windows = None
    if request.quarter is not None:
        windows = [
            search.Window(team.id, *quarter_bounds(request.quarter, team.timezone))
            for team in teams
        ]
    stories = await search.find_stories(
        session,
        workspace_id=workspace_id,
        team_ids=[team.id for team in teams],
        words=request.words,
        result=request.result,
        key_result_number=request.key_result_number,
        windows=windows,
        limit=SEARCH_LIMIT + 1,
    )
    codes: dict[int, str] = {}
    for team in teams:
        for key_result in await okr.key_results(
            session, workspace_id=workspace_id, team_id=team.id
        ):
            codes[key_result.id] = key_result.code
    return Found(teams, stories[:SEARCH_LIMIT], len(stories) > SEARCH_LIMIT, codes)


async def member_team(
    session: AsyncSession, *, workspace_id: int, channel_id: str, user_id: str, name: str | None
) -> Team:
    """The team a member asks about: named, else this channel's, else their only team."""
    teams = await core.teams_of_person(session, workspace_id=workspace_id, user_id=user_id)
    if name:
        named = await core.team_by_name(session, workspace_id=workspace_id, name=name)
        if named is None:
            raise NoTeamHere(shared_texts.no_team_named(name))
        here = named
    else:
        channel = await core.team_by_channel(
            session, workspace_id=workspace_id, channel_id=channel_id
        )
        if channel is not None:
            here = channel
        elif len(teams) == 1:
            return teams[0]
        elif teams:
            raise NoTeamHere(texts.LEDGER_CHOOSE)
        else:
            raise NoTeamHere(texts.SEARCH_NO_TEAMS)
    if here.id not in {team.id for team in teams}:
        raise NoTeamHere(texts.LEDGER_NOT_MEMBER)
    return here
