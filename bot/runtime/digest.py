"""The weekly learning digest: the one place that reads both domains, in separate sections."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import recognition.service
import recognition.views
import retrospectives.okrs.digest
from bot.clock import JobSpec, Planned
from bot.events import Due, Turn
from bot.replies import Audience, Delivery, Outcome, Refusal, Reply, Section, Visibility
from retrospectives import schedules
from storage import core, weeks
from storage.recognition import ShoutOut

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
JOB = "digest.weekly"
NOT_A_LEAD = (
    "The digest is for team leads, and you don't lead a team here yet. "
    "A lead can add you with /okr team lead @you."
)


KEPT_WORKSPACES = 64
"""Workspace-wide parts kept at once: a Monday's runs share one moment per timezone."""


@dataclass
class Workspaces:
    """The workspace-wide parts of the digests written at one moment, computed once for all.

    A Monday's runs are performed at one moment (a scheduler pass), so every lead of a
    workspace reads the same recognition summary: it is read once per workspace and moment,
    not once per lead. Only values are kept, never rows, and only a few moments at a time.
    """

    coverages: dict[tuple[int, datetime], recognition.service.Coverage] = field(
        default_factory=dict
    )

    async def coverage(
        self, session: AsyncSession, *, workspace_id: int, now: datetime
    ) -> recognition.service.Coverage:
        key = (workspace_id, now)
        if key not in self.coverages:
            if len(self.coverages) >= KEPT_WORKSPACES:
                self.coverages.clear()
            self.coverages[key] = await _coverage(session, workspace_id=workspace_id, now=now)
        return self.coverages[key]


async def _coverage(
    session: AsyncSession, *, workspace_id: int, now: datetime
) -> recognition.service.Coverage:
    return await recognition.service.coverage(
        session, workspace_id=workspace_id, since=now - recognition.service.QUIET_PERIOD, now=now
    )


async def compose(
    session: AsyncSession,
    *,
    workspace_id: int,
    lead_id: str,
    now: datetime,
    workspaces: Workspaces | None = None,
) -> Reply | None:
    """Write one lead's digest for the week before ``now``; None if they lead no team.

    The one composition, ``compose_many``, for this lead alone: one read per table for all
    their teams. ``workspaces`` keeps the workspace-wide parts for the other leads of the same
    moment.
    """
    found = await compose_many(
        session, workspace_id=workspace_id, lead_ids=[lead_id], now=now, workspaces=workspaces
    )
    return found[lead_id]


async def compose_many(
    session: AsyncSession,
    *,
    workspace_id: int,
    lead_ids: Collection[str],
    now: datetime,
    workspaces: Workspaces | None = None,
) -> dict[str, Reply | None]:
    """Write the digests of many leads of a workspace for the week before ``now`` (None for
    one who leads no team), with one read per table for all their teams: a lead's digest is
    the same whichever leads it is composed with."""
    led = await weeks.teams_led_by(session, workspace_id=workspace_id, user_ids=lead_ids)
    teams = list({team.id: team for found in led.values() for team in found}.values())
    if not teams:
        return dict.fromkeys(lead_ids)
    since = now - WEEK
    told = await retrospectives.okrs.digest.teams_sections(
        session, workspace_id=workspace_id, teams=teams, since=since
    )
    received = await recognition.service.received_by_teams(
        session, workspace_id=workspace_id, team_ids=[t.id for t in teams], since=since
    )
    coverage = await _shared(session, workspace_id=workspace_id, now=now, workspaces=workspaces)
    return {
        lead: _digest(led[lead], told, received, coverage) if led[lead] else None
        for lead in lead_ids
    }


async def _shared(
    session: AsyncSession, *, workspace_id: int, now: datetime, workspaces: Workspaces | None
) -> recognition.service.Coverage:
    if workspaces is None:
        return await _coverage(session, workspace_id=workspace_id, now=now)
    return await workspaces.coverage(session, workspace_id=workspace_id, now=now)


def _digest(
    teams: Sequence[core.Team],
    told: Mapping[int, Sequence[Section]],
    received: Mapping[int, Sequence[ShoutOut]],
    coverage: recognition.service.Coverage,
) -> Reply:
    """A lead's digest: each team's learning, then recognition last and apart (shout-outs
    are never shown beside key results), then how recognition spread over the workspace."""
    sections = [section for team in teams for section in told[team.id]]
    for team in teams:
        sections += recognition.views.digest_sections(team.name, received[team.id])
    sections.append(
        Section(title="Recognition across teams", text=recognition.views.coverage_text(coverage))
    )
    names = ", ".join(t.name for t in teams)
    return Reply(
        f"Your weekly learning digest for {names}", tuple(sections), visibility=Visibility.CHANNEL
    )


@dataclass(frozen=True, slots=True)
class LeadsMonday:
    """One lead's digest, stored as ``<workspace id>:<lead's user id>``."""

    workspace_id: int
    lead_id: str

    def key(self) -> str:
        return f"{self.workspace_id}:{self.lead_id}"

    @staticmethod
    def tail_naming(lead_id: str) -> str:
        """How every key of ``lead_id``'s digests ends (erasure finds them by it)."""
        return f":{lead_id}"

    @classmethod
    def read(cls, key: str) -> LeadsMonday | None:
        found = re.fullmatch(r"(\d+):(.+)", key, flags=re.DOTALL)
        return None if found is None else cls(int(found[1]), found[2])


Triggers = dict[str, schedules.Trigger | None]
"""Each timezone's Monday 09:00, built once: triggers hold no state."""


async def plan_mondays(
    session: AsyncSession, since: datetime, now: datetime, *, triggers: Triggers
) -> list[Planned[LeadsMonday]]:
    """Each lead's Monday 09:00; leads are read only when some timezone's Monday came."""
    due: dict[str, list[datetime]] = {}
    for zone in await core.lead_timezones(session):
        trigger = _trigger(triggers, zone)
        moments = schedules.fire_times(trigger, since, now) if trigger else []
        if moments:
            due[zone] = moments
    if not due:
        return []
    planned = []
    seen: set[tuple[int, str]] = set()
    for lead, team, workspace in await core.all_leads(session):
        if (workspace.id, lead.user_id) in seen:
            continue  # a lead of several teams gets one digest, in their first team's time
        seen.add((workspace.id, lead.user_id))
        for moment in due.get(lead.timezone or team.timezone, []):
            if moment > lead.added_at:
                planned.append(
                    Planned(workspace.id, LeadsMonday(workspace.id, lead.user_id), moment)
                )
    return planned


def _trigger(triggers: Triggers, zone: str) -> schedules.Trigger | None:
    """Monday 09:00 in a timezone; an unknown zone is logged once, and None."""
    if zone not in triggers:
        try:
            triggers[zone] = schedules.digest_trigger(zone)
        except (ValueError, LookupError):
            log.error("cannot use the timezone %r for digests; not planning them", zone)
            triggers[zone] = None
    return triggers[zone]


async def weekly(
    session: AsyncSession, due: Due[LeadsMonday], _: None, *, workspaces: Workspaces
) -> Sequence[Delivery]:
    """Send one lead their Monday digest, privately."""
    lead_id = due.subject.lead_id
    digest = await compose(
        session,
        workspace_id=due.workspace_id,
        lead_id=lead_id,
        now=due.now,
        workspaces=workspaces,
    )
    if digest is None:
        return []  # no longer a lead of any team
    return [_delivery(due, digest)]


async def weekly_together(
    session: AsyncSession, dues: Sequence[Due[LeadsMonday]], *, workspaces: Workspaces
) -> list[list[Delivery]]:
    """Many leads' Monday digests at once (a scheduler pass): each run's messages, in order."""
    moments: dict[tuple[int, datetime], set[str]] = {}
    for due in dues:
        moments.setdefault((due.workspace_id, due.now), set()).add(due.subject.lead_id)
    digests: dict[tuple[int, datetime, str], Reply | None] = {}
    for (workspace_id, now), leads in moments.items():
        composed = await compose_many(
            session,
            workspace_id=workspace_id,
            lead_ids=sorted(leads),
            now=now,
            workspaces=workspaces,
        )
        digests.update({(workspace_id, now, lead): reply for lead, reply in composed.items()})
    found: list[list[Delivery]] = []
    for due in dues:
        lead_id = due.subject.lead_id
        digest = digests[(due.workspace_id, due.now, lead_id)]
        if digest is None:
            found.append([])  # no longer a lead of any team
            continue
        found.append([_delivery(due, digest)])
    return found


def _delivery(due: Due[LeadsMonday], digest: Reply) -> Delivery:
    """A lead's digest, to them alone, once per Monday."""
    lead_id = due.subject.lead_id
    return Delivery(
        Audience.PERSON, lead_id, digest, key=f"digest:{lead_id}:{due.due_at.isoformat()}"
    )


def spec() -> JobSpec[AsyncSession, LeadsMonday, None]:
    """The weekly digest, planned for each lead's Monday; a pass's runs composed together."""
    shared = Workspaces()
    return JobSpec(
        name=JOB,
        subject_key=LeadsMonday.key,
        read_subject=LeadsMonday.read,
        perform=functools.partial(weekly, workspaces=shared),
        perform_together=functools.partial(weekly_together, workspaces=shared),
        plan=functools.partial(plan_mondays, triggers={}),
    )


async def preview(session: AsyncSession, turn: Turn) -> Outcome:
    """Show a lead this week's digest now, privately."""
    digest = await compose(
        session, workspace_id=turn.workspace_id, lead_id=turn.user_id, now=turn.now
    )
    if digest is None:
        raise Refusal(NOT_A_LEAD)
    return Outcome(replies=(replace(digest, visibility=Visibility.PRIVATE),))
