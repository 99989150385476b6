"""Scheduled work of the retrospectives domain: open, start, remind and close a retrospective.

Each job is a ``JobSpec`` declared below with its typed subject. A subject is stored as a key
("team:3", "cycle:7:2"); the dataclass that names it writes and reads that key, and nothing
else does. Openings come from each team's schedule (``plan_openings``) or from a lead's
``/retro start``; an opening plans its cycle's reminders and close.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import JobSpec, Planned, Reader
from bot.events import Due
from bot.ports import Directory
from bot.replies import Audience, Delivery, Reply, Visibility
from retrospectives import schedules, texts
from retrospectives.cycles import service as cycles
from retrospectives.cycles.subjects import Closing, Reminder, ScheduledOpening, StartedOpening
from storage import core, retro, schedule

log = logging.getLogger(__name__)

OPEN_JOB = "retro.open"
START_JOB = "retro.start"
REMIND_JOB = "retro.remind"
CLOSE_JOB = "retro.close"

Opening = ScheduledOpening | StartedOpening


def start_subject(team_id: int, user_id: str) -> str:
    """The subject key of an opening a lead asked for (``/retro start``)."""
    return StartedOpening(team_id, user_id).key()


@dataclass(frozen=True, slots=True)
class Channel:
    """The people of a team's channel, asked of the platform before the opening's transaction.

    ``members`` is None when there was nothing to open (the team is gone, its schedule was
    turned off, or a retrospective is open already), so the platform was not asked.
    """

    members: tuple[str, ...] | None


Triggers = dict[tuple[str, str], schedules.Trigger | None]
"""Each (schedule, timezone)'s trigger, built once: triggers hold no state."""


async def plan_openings(
    session: AsyncSession, since: datetime, now: datetime, *, triggers: Triggers
) -> list[Planned[ScheduledOpening]]:
    """Every scheduled opening that fell due; teams are read only where their schedule fires."""
    due = []
    for wanted, zone in await core.schedule_groups(session):
        trigger = _trigger(triggers, wanted, zone, now)
        moments = schedules.fire_times(trigger, since, now) if trigger else []
        if not moments:
            continue
        for team, workspace in await core.scheduled_teams(session, schedule=wanted, timezone=zone):
            for moment in moments:
                if team.retro_schedule_set_at and moment <= team.retro_schedule_set_at:
                    continue  # the schedule was set after this moment
                due.append(Planned(workspace.id, ScheduledOpening(team.id), moment))
    return due


def _trigger(triggers: Triggers, wanted: str, zone: str, now: datetime) -> schedules.Trigger | None:
    """The trigger of a schedule in a timezone; an unusable one is logged once, and None."""
    key = (wanted, zone)
    if key not in triggers:
        try:
            # A schedule stored when the day fields were ANDed may now fire too often.
            schedules.check_schedule(wanted, zone, now)
            triggers[key] = schedules.retro_trigger(wanted, zone)
        except (ValueError, LookupError):
            log.error(
                "cannot use the schedule %r in timezone %r (unreadable, or more often than "
                "weekly in standard cron); not planning it",
                wanted,
                zone,
            )
            triggers[key] = None
    return triggers[key]


async def ask_channel(
    read: Reader[AsyncSession], due: Due[Opening], directory: Directory
) -> Channel:
    """Read the team's channel in a short transaction, then ask the platform who is in it."""
    async with read() as session:
        team = await core.team_by_id(
            session, workspace_id=due.workspace_id, team_id=due.subject.team_id
        )
        if team is None or (_scheduled(due) and team.retro_schedule is None):
            return Channel(None)
        if await retro.open_cycle(session, workspace_id=team.workspace_id, team_id=team.id):
            return Channel(None)  # ask the platform nothing: this one is open already
        channel_id = team.channel_id
    members = await directory.channel_members(due.workspace_external_id, channel_id)
    return Channel(tuple(members))


async def open_retro(
    session: AsyncSession,
    due: Due[Opening],
    channel: Channel,
    *,
    anonymity_min: int = cycles.ANONYMITY_FLOOR,
) -> Sequence[Delivery]:
    """Open a team's retrospective, prompt every person in its channel, plan what follows."""
    team = await core.team_by_id(
        session, workspace_id=due.workspace_id, team_id=due.subject.team_id
    )
    if team is None or channel.members is None:
        return []
    if _scheduled(due) and team.retro_schedule is None:
        return []  # the schedule was turned off after the channel was asked
    opened_by = due.subject.opened_by
    if not channel.members:
        return [_nobody_to_ask(team, opened_by, due)]
    cycle, deliveries = await cycles.open_cycle(
        session,
        team=team,
        members=channel.members,
        opened_by=opened_by,
        now=due.now,
        deployment_anonymity_min=anonymity_min,
    )
    if deliveries and cycle is not None:
        await _plan_reminders_and_close(session, cycle=cycle, team=team, now=due.now)
    return deliveries


def _scheduled(due: Due[Opening]) -> bool:
    return isinstance(due.subject, ScheduledOpening)


async def _plan_reminders_and_close(
    session: AsyncSession, *, cycle: retro.RetroCycle, team: core.Team, now: datetime
) -> None:
    """The cycle's reminders and its close, planned in one statement."""
    times = schedules.reminder_times(cycle.opened_at, cycle.closes_at, team.timezone)
    runs = [
        (REMIND_JOB, Reminder(cycle.id, number).key(), moment)
        for number, moment in enumerate(times, 1)
    ]
    runs.append((CLOSE_JOB, Closing(cycle.id).key(), cycle.closes_at))
    await schedule.plan_many(session, workspace_id=team.workspace_id, runs=runs, now=now)


def _nobody_to_ask(team: core.Team, opened_by: str | None, due: Due[Opening]) -> Delivery:
    """Tell the lead who asked, or else the channel, that nobody is there to ask."""
    key = f"retro:{due.subject.key()}:nobody:{due.due_at.isoformat()}"
    text = texts.nobody_to_ask(team.name, to_lead=opened_by is not None)
    reply = Reply(text, visibility=Visibility.CHANNEL)  # all of its conversation may see it
    if opened_by is not None:
        return Delivery(Audience.PERSON, opened_by, reply, key=key)
    return Delivery(Audience.CHANNEL, team.channel_id, reply, key=key)


async def remind(session: AsyncSession, due: Due[Reminder], _: None) -> Sequence[Delivery]:
    """Send the first or second private reminder of a retrospective."""
    found = await _cycle_and_team(session, due, due.subject.cycle_id)
    if found is None:
        return []
    cycle, team = found
    return await cycles.remind(session, cycle=cycle, team=team, number=due.subject.number)


async def close(session: AsyncSession, due: Due[Closing], _: None) -> Sequence[Delivery]:
    """Close a retrospective at its deadline and post the summary."""
    found = await _cycle_and_team(session, due, due.subject.cycle_id)
    if found is None:
        return []
    cycle, team = found
    return await cycles.close_cycle(session, cycle=cycle, team=team, now=due.now)


async def _cycle_and_team(
    session: AsyncSession, due: Due[Reminder] | Due[Closing], cycle_id: int
) -> tuple[retro.RetroCycle, core.Team] | None:
    cycle = await retro.cycle_by_id(session, workspace_id=due.workspace_id, cycle_id=cycle_id)
    if cycle is None:
        return None
    team = await core.team_by_id(session, workspace_id=due.workspace_id, team_id=cycle.team_id)
    return None if team is None else (cycle, team)


def specs(*, anonymity_min: int = cycles.ANONYMITY_FLOOR) -> list[JobSpec[AsyncSession, Any, Any]]:
    """The retrospectives' jobs, opening with the deployment's smallest anonymous group."""
    opening = functools.partial(open_retro, anonymity_min=anonymity_min)
    scheduled: JobSpec[AsyncSession, ScheduledOpening, Channel] = JobSpec(
        name=OPEN_JOB,
        subject_key=ScheduledOpening.key,
        read_subject=ScheduledOpening.read,
        prepare=ask_channel,
        perform=opening,
        plan=functools.partial(plan_openings, triggers={}),
    )
    started: JobSpec[AsyncSession, StartedOpening, Channel] = JobSpec(
        name=START_JOB,
        subject_key=StartedOpening.key,
        read_subject=StartedOpening.read,
        prepare=ask_channel,
        perform=opening,
    )
    reminder: JobSpec[AsyncSession, Reminder, None] = JobSpec(
        name=REMIND_JOB, subject_key=Reminder.key, read_subject=Reminder.read, perform=remind
    )
    # A deadline is kept, however late: a close missed while okrbot was down still happens.
    closing: JobSpec[AsyncSession, Closing, None] = JobSpec(
        name=CLOSE_JOB,
        subject_key=Closing.key,
        read_subject=Closing.read,
        perform=close,
        always_run=True,
    )
    return [scheduled, started, reminder, closing]
