"""Scheduled work of the retrospectives domain: open, remind, close."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Due
from bot.ports import Directory
from bot.replies import Audience, Delivery, Reply, Visibility
from retrospectives import schedules, texts
from retrospectives.cycles import service as cycles
from retrospectives.okrs import digest
from storage import core, okr, retro

OPEN_JOB = "retro.open"  # by the team's schedule; subject "team:<id>"
START_JOB = "retro.start"  # by a lead's /retro start; subject "team:<id>:by:<user>"
REMIND_JOB = cycles.REMIND_JOB  # subject "cycle:<id>:<reminder number>"
CLOSE_JOB = cycles.CLOSE_JOB  # subject "cycle:<id>"


def start_subject(team_id: int, user_id: str) -> str:
    return f"team:{team_id}:by:{user_id}"


async def open_retro(
    session: AsyncSession,
    due: Due,
    directory: Directory,
    *,
    anonymity_min: int = cycles.ANONYMITY_FLOOR,
) -> Sequence[Delivery]:
    """Open a team's retrospective and prompt every person in its channel."""
    parts = due.subject.split(":")
    team = await core.team_by_id(session, workspace_id=due.workspace_id, team_id=int(parts[1]))
    if team is None:
        return []
    opened_by = parts[3] if due.job == START_JOB and len(parts) > 3 else None
    if due.job == OPEN_JOB and team.retro_schedule is None:
        return []  # the schedule was turned off after this opening was planned
    if await retro.open_cycle(session, workspace_id=team.workspace_id, team_id=team.id) is not None:
        return []  # ask the platform nothing: this one is open already
    members = await directory.channel_members(due.workspace_external_id, team.channel_id)
    if not members:
        return [_nobody_to_ask(team, opened_by, due)]
    return await cycles.open_cycle(
        session,
        team=team,
        members=members,
        opened_by=opened_by,
        now=due.now,
        deployment_anonymity_min=anonymity_min,
    )


def _nobody_to_ask(team: core.Team, opened_by: str | None, due: Due) -> Delivery:
    """Tell the lead who asked, or else the channel, that nobody is there to ask."""
    key = f"retro:{due.subject}:nobody:{due.due_at.isoformat()}"
    text = texts.nobody_to_ask(team.name, to_lead=opened_by is not None)
    reply = Reply(text, visibility=Visibility.CHANNEL)  # all of its conversation may see it
    if opened_by is not None:
        return Delivery(Audience.PERSON, opened_by, reply, key=key)
    return Delivery(Audience.CHANNEL, team.channel_id, reply, key=key)


async def remind(session: AsyncSession, due: Due, directory: Directory) -> Sequence[Delivery]:
    """Send the first or second private reminder of a retrospective."""
    _, cycle_id, number = due.subject.split(":")
    found = await _cycle_and_team(session, due, int(cycle_id))
    if found is None:
        return []
    cycle, team = found
    return await cycles.remind(session, cycle=cycle, team=team, number=int(number))


async def close(session: AsyncSession, due: Due, directory: Directory) -> Sequence[Delivery]:
    """Close a retrospective at its deadline and post the summary."""
    found = await _cycle_and_team(session, due, int(due.subject.split(":")[1]))
    if found is None:
        return []
    cycle, team = found
    return await cycles.close_cycle(session, cycle=cycle, team=team, now=due.now)


async def _cycle_and_team(
    session: AsyncSession, due: Due, cycle_id: int
) -> tuple[retro.RetroCycle, core.Team] | None:
    cycle = await retro.cycle_by_id(session, workspace_id=due.workspace_id, cycle_id=cycle_id)
    if cycle is None:
        return None
    team = await core.team_by_id(session, workspace_id=due.workspace_id, team_id=cycle.team_id)
    return None if team is None else (cycle, team)


async def concern_notices(session: AsyncSession, *, now: datetime) -> list[tuple[int, Delivery]]:
    """Tell leads, in one morning notice per team, the anonymous concerns whose time has come.

    A concern waits for the first 09:00 (team time) after its day ended: sent as it was typed,
    its arrival would say when it was typed, and so, perhaps, who typed it. Keyed by team and
    day, the notice is written once however many processes run this.
    """
    waiting = await okr.untold_anonymous_concerns(session, before=now.date())
    by_team: dict[int, list[okr.AnonymousConcern]] = {}
    for concern in waiting:
        by_team.setdefault(concern.team_id, []).append(concern)
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
        lines = [digest.concern_line(c, None) for c in due]
        reply = Reply(
            texts.anonymous_concerns_for_lead(team.name, lines), visibility=Visibility.CHANNEL
        )
        day = now.date().isoformat()
        for lead in team.leads:
            key = f"concerns:{team.id}:{day}:{lead.user_id}"
            notices.append(
                (team.workspace_id, Delivery(Audience.PERSON, lead.user_id, reply, key=key))
            )
        for concern in due:
            concern.told_at = now
    await session.flush()
    return notices
