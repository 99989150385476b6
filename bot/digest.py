"""The weekly learning digest: the one place that reads both domains, in separate sections."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import recognition.service
import recognition.texts
import retrospectives.digest
from bot.events import Turn
from bot.replies import Outcome, Refusal, Reply, Section
from storage import core

WEEK = timedelta(days=7)
NOT_A_LEAD = (
    "The digest is for team leads, and you don't lead a team here yet. "
    "A lead can add you with /okr team lead @you."
)


async def compose(
    session: AsyncSession, *, workspace_id: int, lead_id: str, now: datetime
) -> Reply | None:
    """Write one lead's digest for the week before ``now``; None if they lead no team."""
    teams = await core.teams_led_by(session, workspace_id=workspace_id, user_id=lead_id)
    if not teams:
        return None
    since = now - WEEK
    sections: list[Section] = []
    for team in teams:
        sections += await retrospectives.digest.team_sections(session, team=team, since=since)
    # Recognition comes last and apart: shout-outs are never shown beside key results.
    for team in teams:
        received = await recognition.service.received_since(
            session, workspace_id=workspace_id, team_id=team.id, since=since
        )
        sections += recognition.texts.digest_sections(team.name, received)
    coverage = await recognition.service.coverage(
        session, workspace_id=workspace_id, since=now - recognition.service.QUIET_PERIOD, now=now
    )
    sections.append(Section(title="Recognition across teams", text=recognition.texts.coverage_text(coverage)))
    names = ", ".join(t.name for t in teams)
    return Reply(f"Your weekly learning digest for {names}", tuple(sections))


async def preview(session: AsyncSession, turn: Turn) -> Outcome:
    """Show a lead this week's digest now, privately."""
    digest = await compose(
        session, workspace_id=turn.workspace_id, lead_id=turn.user_id, now=turn.now
    )
    if digest is None:
        raise Refusal(NOT_A_LEAD)
    return Outcome(replies=(digest,))
