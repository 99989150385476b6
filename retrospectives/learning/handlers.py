"""Chat commands about a team's learning over time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import RouteBook
from bot.replies import Outcome
from retrospectives.errors import NoTeamHere
from retrospectives.learning import commands, service, texts, views
from retrospectives.learning.ledger import team_ledger
from retrospectives.texts import OKR, SECTION_STORIES, STORY

routes = RouteBook[AsyncSession]()


@routes.command(
    STORY,
    "search",
    usage="<words> [2026Q3] [KR2] [result]",
    summary=texts.HELP_SEARCH,
    section=SECTION_STORIES,
)
async def search_stories(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/story search <words>``: the person's teams' stories that match, privately."""
    request = commands.parse_search(args)
    found = await service.search_stories(
        session, workspace_id=turn.workspace_id, user_id=turn.user_id, request=request
    )
    if not found.teams:
        raise NoTeamHere(texts.SEARCH_NO_TEAMS)
    return views.search_results(found)


@routes.command(OKR, "ledger", usage="[team]", summary=texts.HELP_LEDGER, section=SECTION_STORIES)
async def ledger(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr ledger [team]``: a team's learning ledger, privately, to a member."""
    team = await service.member_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        user_id=turn.user_id,
        name=args.strip() or None,
    )
    return views.ledger(team.name, await team_ledger(session, team))
