"""Chat commands about a team's learning over time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.replies import Outcome
from retrospectives.errors import NoTeamHere
from retrospectives.learning import commands, service, texts, views


async def search_stories(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/story search <words>``: the person's teams' stories that match, privately."""
    request = commands.parse_search(args)
    found = await service.search_stories(
        session, workspace_id=turn.workspace_id, user_id=turn.user_id, request=request
    )
    if not found.teams:
        raise NoTeamHere(texts.SEARCH_NO_TEAMS)
    return views.search_results(found)
