"""The concern loop's scheduled work: the morning notice of anonymous concerns, escalation."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Audience, Delivery, Reply, Visibility
from retrospectives import schedules, texts
from retrospectives.okrs.concerns import views
from storage import core, okr
from storage.okr import AnonymousConcern


async def concern_notices(session: AsyncSession, *, now: datetime) -> list[tuple[int, Delivery]]:
    """Tell leads, in one morning notice per team, the anonymous concerns whose time has come.

    A concern waits for the first 09:00 (team time) after its day ended: sent as it was typed,
    its arrival would say when it was typed, and so, perhaps, who typed it. Keyed by team and
    day, the notice is written once however many processes run this. A concern the team is to
    see reaches the team's channel in the same notice, with the buttons to add one's voice.
    """
    waiting = await okr.untold_anonymous_concerns(session, before=now.date())
    by_team: dict[int, list[AnonymousConcern]] = defaultdict(list)
    for concern in waiting:
        by_team[concern.team_id].append(concern)
    notices = []
    for team_id, concerns in by_team.items():
        team = await core.team_by_id(
            session, workspace_id=concerns[0].workspace_id, team_id=team_id
        )
        if team is None:
            continue
        due = [
            c for c in concerns if schedules.concern_notice_time(c.raised_on, team.timezone) <= now
        ]
        if not due:
            continue
        lines = [_line(c) for c in due]
        buttons = tuple(views.answer_button(team, c) for c in due if c.reference is not None)
        reply = Reply(
            texts.anonymous_concerns_for_lead(team.name, lines),
            buttons=buttons,
            visibility=Visibility.CHANNEL,
        )
        day = now.date().isoformat()
        for lead in team.leads:
            key = f"concerns:{team.id}:{day}:{lead.user_id}"
            notices.append(
                (team.workspace_id, Delivery(Audience.PERSON, lead.user_id, reply, key=key))
            )
        for concern in due:
            concern.told_at = now
            if concern.team_visible and concern.reference is not None:
                post = views.for_channel(team, concern)
                key = f"concern:{team.id}:{concern.code}:team"
                notices.append(
                    (team.workspace_id, Delivery(Audience.CHANNEL, team.channel_id, post, key=key))
                )
    await session.flush()
    return notices


def _line(concern: AnonymousConcern) -> str:
    said = views.concern_line(concern)
    return said if concern.reference is None else f"{concern.code} {said}"
