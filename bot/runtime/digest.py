"""The weekly learning digest: the one place that reads both domains, in separate sections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import recognition.service
import recognition.views
import retrospectives.okrs.digest
from bot.events import Due, Turn
from bot.ports import Directory
from bot.replies import Audience, Delivery, Outcome, Refusal, Reply, Section, Visibility
from storage import core

WEEK = timedelta(days=7)
JOB = "digest.weekly"
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
        sections += await retrospectives.okrs.digest.team_sections(session, team=team, since=since)
    # Recognition comes last and apart: shout-outs are never shown beside key results.
    for team in teams:
        received = await recognition.service.received_since(
            session, workspace_id=workspace_id, team_id=team.id, since=since
        )
        sections += recognition.views.digest_sections(team.name, received)
    coverage = await recognition.service.coverage(
        session, workspace_id=workspace_id, since=now - recognition.service.QUIET_PERIOD, now=now
    )
    sections.append(
        Section(title="Recognition across teams", text=recognition.views.coverage_text(coverage))
    )
    names = ", ".join(t.name for t in teams)
    return Reply(
        f"Your weekly learning digest for {names}", tuple(sections), visibility=Visibility.CHANNEL
    )


def subject(workspace_id: int, lead_id: str) -> str:
    return f"{workspace_id}:{lead_id}"


async def weekly(session: AsyncSession, due: Due, directory: Directory) -> Sequence[Delivery]:
    """Send one lead their Monday digest, privately."""
    _, lead_id = due.subject.split(":", 1)
    digest = await compose(session, workspace_id=due.workspace_id, lead_id=lead_id, now=due.now)
    if digest is None:
        return []  # no longer a lead of any team
    key = f"digest:{lead_id}:{due.due_at.isoformat()}"
    return [Delivery(Audience.PERSON, lead_id, digest, key=key)]


async def preview(session: AsyncSession, turn: Turn) -> Outcome:
    """Show a lead this week's digest now, privately."""
    digest = await compose(
        session, workspace_id=turn.workspace_id, lead_id=turn.user_id, now=turn.now
    )
    if digest is None:
        raise Refusal(NOT_A_LEAD)
    return Outcome(replies=(replace(digest, visibility=Visibility.PRIVATE),))
