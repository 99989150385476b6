"""``/retro adapt``: a team's adaptations, taken on and decided by its members."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import RouteBook
from bot.replies import Outcome, Section, private
from retrospectives.adaptations import commands, service, texts
from retrospectives.adaptations.commands import Deciding, reference
from retrospectives.okrs import service as okrs
from retrospectives.texts import RETRO, SECTION_RETRO
from storage import learning
from storage.learning import Fate

routes = RouteBook[AsyncSession]()


@routes.command(
    RETRO,
    "adapt",
    usage="[A7 mine|team [by YYYY-MM-DD] | A7 done|dropped|open]",
    summary=texts.HELP_ADAPT,
    section=SECTION_RETRO,
)
async def adapt(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro adapt [A7 mine|team [by <date>] | A7 done|dropped|open]``."""
    intent = commands.parse_adapt(args)
    if intent is None:
        return await _listed(session, turn)
    adaptation, team = await service.members_adaptation(
        session,
        workspace_id=turn.workspace_id,
        user_id=turn.user_id,
        adaptation_id=intent.adaptation_id,
    )
    ref = reference(adaptation.id)
    if isinstance(intent, Deciding):
        await service.decide(session, adaptation=adaptation, deciding=intent, now=turn.now)
        return private(texts.decided(ref, intent.fate.value))
    await service.take_on(
        session, adaptation=adaptation, team=team, user_id=turn.user_id, taking=intent, now=turn.now
    )
    day = intent.due_on.isoformat() if intent.due_on else None
    return private(texts.taken(ref, intent.team_owns, day))


async def _listed(session: AsyncSession, turn: Turn) -> Outcome:
    team = await okrs.find_team(
        session, workspace_id=turn.workspace_id, channel_id=turn.channel_id, user_id=turn.user_id
    )
    found = await learning.adaptations(session, workspace_id=turn.workspace_id, team_id=team.id)
    if not found:
        return private(texts.adaptations_none(team.name))
    lines = []
    for adaptation, kept in reversed(found[-20:]):
        fate = kept.fate if kept else Fate.OPEN
        if kept is None or (kept.owner_id is None and kept.due_on is None):
            owner = ""
        elif kept.owner_id is None:
            owner = texts.OWNED_BY_TEAM
        else:
            owner = texts.OWNED_BY_YOU if kept.owner_id == turn.user_id else texts.OWNED_BY_A_MEMBER
        due = texts.due_label(kept.due_on.isoformat()) if kept and kept.due_on else ""
        lines.append(
            texts.adaptation_line(reference(adaptation.id), adaptation.text, fate.value, owner, due)
        )
    return private(texts.adaptations_title(team.name), Section(text="\n\n".join(lines)))
