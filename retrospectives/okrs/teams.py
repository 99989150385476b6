"""Chat commands about a team: create it in its channel, add a lead, claim it when leaderless."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import RouteBook
from bot.replies import Outcome, private
from retrospectives import texts
from retrospectives.errors import InvalidInput
from retrospectives.okrs import commands, service
from storage import core
from storage.core import Team

routes = RouteBook[AsyncSession]()
routes.word(texts.OKR, texts.OKR_WORD, texts.UNKNOWN_OKR, alone="help")


@routes.command(
    texts.OKR,
    "team create",
    usage="<name> [tz=Europe/Berlin]",
    summary=texts.HELP_TEAM_CREATE,
    section=texts.SECTION_TEAMS,
    menu=texts.MENU_TEAM_CREATE,
    hint="<name>",
)
async def create_team(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr team create <name> [tz=<zone>]`` in the team's channel."""
    if turn.event.is_direct:
        raise InvalidInput(texts.TEAM_CREATE_IN_CHANNEL)
    name, zone = commands.parse_team_create(args)
    team = await service.create_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        name=name,
        timezone=zone,
        creator_id=turn.user_id,
        now=turn.now,
    )
    return private(texts.team_created(team.name, team.timezone))


@routes.command(
    texts.OKR,
    "team lead",
    usage="@person",
    summary=texts.HELP_TEAM_LEAD,
    section=texts.SECTION_TEAMS,
    leads=True,
)
async def add_lead(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr team lead <@person>``."""
    person = commands.parse_user(args) if args else None
    if person is None:
        raise InvalidInput(texts.LEAD_USAGE)
    team = await _channel_team(session, turn)
    added = await service.add_lead(
        session, team=team, user_id=person, added_by=turn.user_id, now=turn.now
    )
    if not added:
        return private(texts.lead_already(team.name, person))
    return private(texts.lead_added(team.name, person))


@routes.command(texts.OKR, "team claim", summary=texts.HELP_TEAM_CLAIM, section=texts.SECTION_TEAMS)
async def claim_team(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr team claim``: lead a team whose leads are all gone."""
    if args:
        raise InvalidInput(texts.UNKNOWN_OKR)
    team = await _channel_team(session, turn)
    await service.claim_team(session, team=team, user_id=turn.user_id, now=turn.now)
    return private(texts.team_claimed(team.name))


async def _channel_team(session: AsyncSession, turn: Turn) -> Team:
    """The team bound to this very channel (team administration happens in its channel)."""
    team = await core.team_by_channel(
        session, workspace_id=turn.workspace_id, channel_id=turn.channel_id
    )
    if team is None:
        raise InvalidInput(texts.NO_TEAM_HERE)
    return team
