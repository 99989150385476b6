"""Nothing ignored quietly: a concern left unanswered too long is raised in the workspace's
escalation channel, and its team is told so.

The channel and the wait (14 days unless chosen otherwise) are a workspace's, chosen by whoever
administers okrbot for it (``okrbot escalation``). A concern is escalated at 09:00 team time on
the day its wait is over, counted in days from the day it was raised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import JobSpec, Planned
from bot.events import Due
from bot.replies import Audience, Delivery, Reply, Visibility
from retrospectives import schedules
from retrospectives.okrs.concerns import texts, views
from storage import concerns, core
from storage.concerns import Concern, EscalationChannel

JOB = "concern.escalate"
DEFAULT_AFTER_DAYS = 14


@dataclass(frozen=True, slots=True)
class Unanswered:
    """One concern to escalate, stored as ``team:<team id>:concern:<reference>``."""

    team_id: int
    reference: int

    def key(self) -> str:
        return f"team:{self.team_id}:concern:{self.reference}"

    @classmethod
    def read(cls, key: str) -> Unanswered | None:
        found = re.fullmatch(r"team:(\d+):concern:(\d+)", key)
        return None if found is None else cls(int(found[1]), int(found[2]))


async def choose(
    session: AsyncSession, *, workspace_id: int, channel_id: str | None, after_days: int
) -> None:
    """Set (or, with no channel, remove) where a workspace's unanswered concerns go."""
    chosen = await concerns.escalation_channel(session, workspace_id=workspace_id)
    if channel_id is None:
        if chosen is not None:
            await session.delete(chosen)
    elif chosen is None:
        session.add(
            EscalationChannel(
                workspace_id=workspace_id, channel_id=channel_id, after_days=after_days
            )
        )
    else:
        chosen.channel_id, chosen.after_days = channel_id, after_days
    await session.flush()


def due_at(concern: Concern, timezone: str, after_days: int) -> datetime:
    """09:00 team time on the day the concern's wait is over."""
    last_day = concerns.raised_on(concern) + timedelta(days=after_days - 1)
    return schedules.concern_notice_time(last_day, timezone)


async def plan(session: AsyncSession, since: datetime, now: datetime) -> list[Planned[Unanswered]]:
    """Every open concern whose wait is over, in workspaces that chose an escalation channel.

    Runs are inserted idempotently, so a concern planned again before it is performed adds
    nothing; one escalated, or answered, is no longer found.
    """
    channels = await concerns.escalation_channels(session)
    if not channels:
        return []
    earliest = now.date() - timedelta(days=min(c.after_days for c in channels.values()) - 1)
    planned = []
    for concern in await concerns.unescalated_before(session, before=earliest):
        chosen = channels.get(concern.workspace_id)
        team = await core.team_by_id(
            session, workspace_id=concern.workspace_id, team_id=concern.team_id
        )
        if chosen is None or team is None or concern.reference is None:
            continue
        moment = due_at(concern, team.timezone, chosen.after_days)
        if moment <= now:
            planned.append(
                Planned(concern.workspace_id, Unanswered(team.id, concern.reference), moment)
            )
    return planned


async def escalate(session: AsyncSession, due: Due[Unanswered], _: None) -> Sequence[Delivery]:
    """Raise the concern in the escalation channel and tell its team; never its raiser."""
    team = await core.team_by_id(
        session, workspace_id=due.workspace_id, team_id=due.subject.team_id
    )
    chosen = await concerns.escalation_channel(session, workspace_id=due.workspace_id)
    if team is None or chosen is None:
        return []
    concern = await concerns.by_reference(
        session, workspace_id=due.workspace_id, team_id=team.id, reference=due.subject.reference
    )
    if concern is None or concern.answered_at is not None or concern.escalated_at is not None:
        return []
    concern.escalated_at = due.now
    await session.flush()
    waited = (due.now.date() - concerns.raised_on(concern)).days
    raised = Reply(
        texts.escalated_for_admins(team.name, concern.code, waited),
        (views.details(concern, with_raiser=False),),
        visibility=Visibility.CHANNEL,
    )
    told = Reply(texts.escalated_for_team(team.name, concern.code), visibility=Visibility.CHANNEL)
    key = f"concern:{team.id}:{concern.code}:escalated"
    return [
        Delivery(Audience.CHANNEL, chosen.channel_id, raised, key=key),
        Delivery(Audience.CHANNEL, team.channel_id, told, key=f"{key}:team"),
    ]


def spec() -> JobSpec[AsyncSession, Unanswered, None]:
    """Escalation of concerns left unanswered, planned from each concern's age."""
    return JobSpec(
        name=JOB,
        subject_key=Unanswered.key,
        read_subject=Unanswered.read,
        perform=escalate,
        plan=plan,
        always_run=True,
    )
