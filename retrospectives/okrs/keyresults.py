"""Chat commands about key results: record one with its guardrail, list them, name a guardrail."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import RouteBook
from bot.replies import Field, Outcome, Section, private
from retrospectives import texts
from retrospectives.errors import InvalidInput
from retrospectives.okrs import commands, guardrails, service
from storage import core, okr
from storage.core import Team

routes = RouteBook[AsyncSession]()


@routes.command(
    texts.OKR,
    "kr add",
    usage="<key result> [| guardrail: <what must not get worse>]",
    summary=texts.HELP_KR_ADD,
    section=texts.SECTION_TEAMS,
    leads=True,
    menu=texts.MENU_KR_ADD,
    hint="<text>",
)
async def add_key_result(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr kr add <key result> [| guardrail: <text>]``; without one, ask for it."""
    text, guardrail = commands.parse_key_result(args)
    team = await _channel_team(session, turn)
    key_result = await service.add_key_result(
        session, team=team, text=text, guardrail=guardrail, added_by=turn.user_id, now=turn.now
    )
    added = texts.kr_added(team.name, key_result.code, key_result.text)
    if guardrail is None:
        return private(added, Section(text=guardrails.ask_for_guardrail(key_result.code)))
    return private(added, Section(text=guardrails.beside(key_result, for_leads=True)))


@routes.command(
    texts.OKR,
    "kr guardrail",
    usage="KR<n> <what must not get worse>",
    summary=guardrails.HELP_KR_GUARDRAIL,
    section=texts.SECTION_TEAMS,
    leads=True,
)
async def set_guardrail(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr kr guardrail KR<n> <what must not get worse>``."""
    number, guardrail = commands.parse_guardrail(args)
    team = await _channel_team(session, turn)
    key_result = await service.set_guardrail(
        session, team=team, number=number, guardrail=guardrail, set_by=turn.user_id
    )
    return private(guardrails.guardrail_set(team.name, key_result.code, guardrail))


@routes.command(texts.OKR, "kr", summary=texts.HELP_KR, section=texts.SECTION_TEAMS)
async def list_key_results(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr kr``: the team's key results, each with its guardrail."""
    if args:
        raise InvalidInput(texts.UNKNOWN_OKR)
    team = await service.find_team(
        session, workspace_id=turn.workspace_id, channel_id=turn.channel_id, user_id=turn.user_id
    )
    found = await okr.key_results(session, workspace_id=turn.workspace_id, team_id=team.id)
    if not found:
        return private(texts.kr_list_empty(team.name))
    for_leads = team.is_lead(turn.user_id)
    return private(
        texts.kr_list_title(team.name),
        Section(fields=tuple(Field(k.code, _shown(k, for_leads)) for k in found)),
    )


def _shown(key_result: okr.KeyResult, for_leads: bool) -> str:
    guardrail = guardrails.beside(key_result, for_leads=for_leads)
    return f"{key_result.text}\n{guardrail}" if guardrail else key_result.text


async def _channel_team(session: AsyncSession, turn: Turn) -> Team:
    """The team bound to this very channel (key results are recorded in the team's channel)."""
    team = await core.team_by_channel(
        session, workspace_id=turn.workspace_id, channel_id=turn.channel_id
    )
    if team is None:
        raise InvalidInput(texts.NO_TEAM_HERE)
    return team
