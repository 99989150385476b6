"""What adaptations become: taken on, asked about on their date, decided; never commits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives import schedules
from retrospectives.adaptations import texts
from retrospectives.adaptations.commands import Deciding, Taking, reference
from retrospectives.errors import InvalidInput, NoTeamHere
from storage import core, learning, schedule
from storage.core import Team
from storage.learning import Fate, FollowThrough
from storage.retro import Adaptation

CHECK_JOB = "adaptation.check"


def check_subject(adaptation_id: int, due_on: date) -> str:
    """The key of the run that asks about an adaptation on its date: ``adaptation:7:2027-03-01``."""
    return f"adaptation:{adaptation_id}:{due_on.isoformat()}"


def read_check_subject(key: str) -> tuple[int, date] | None:
    kind, _, rest = key.partition(":")
    number, _, day = rest.partition(":")
    if kind != "adaptation" or not number.isdigit():
        return None
    try:
        return int(number), date.fromisoformat(day)
    except ValueError:
        return None


async def members_adaptation(
    session: AsyncSession, *, workspace_id: int, user_id: str, adaptation_id: int
) -> tuple[Adaptation, Team]:
    """An adaptation of one of the person's teams in this workspace, or a refusal."""
    found = await learning.adaptation(
        session, workspace_id=workspace_id, adaptation_id=adaptation_id
    )
    if found is None:
        raise InvalidInput(texts.no_adaptation(reference(adaptation_id)))
    teams = await core.teams_of_person(session, workspace_id=workspace_id, user_id=user_id)
    team = next((t for t in teams if t.id == found.team_id), None)
    if team is None:
        raise NoTeamHere(texts.NOT_YOUR_TEAM)
    return found, team


async def _follow_through(session: AsyncSession, adaptation: Adaptation) -> FollowThrough:
    kept = await learning.follow_through(
        session, workspace_id=adaptation.workspace_id, adaptation_id=adaptation.id
    )
    if kept is None:
        kept = FollowThrough(
            adaptation_id=adaptation.id, workspace_id=adaptation.workspace_id, fate=Fate.OPEN
        )
        session.add(kept)
    return kept


async def take_on(
    session: AsyncSession,
    *,
    adaptation: Adaptation,
    team: Team,
    user_id: str,
    taking: Taking,
    now: datetime,
) -> None:
    """Record who looks after an adaptation and, with a date, plan the question for that day."""
    if taking.due_on is not None and taking.due_on < now.astimezone(ZoneInfo(team.timezone)).date():
        raise InvalidInput(texts.date_past(taking.due_on.isoformat()))
    kept = await _follow_through(session, adaptation)
    kept.owner_id = None if taking.team_owns else user_id
    kept.due_on = taking.due_on
    kept.asked_at = None
    if taking.due_on is not None:
        await schedule.plan(
            session,
            workspace_id=adaptation.workspace_id,
            job=CHECK_JOB,
            subject=check_subject(adaptation.id, taking.due_on),
            due_at=schedules.at_local(taking.due_on, schedules.OPEN_HOUR, team.timezone),
            now=now,
        )
    await session.flush()


async def decide(
    session: AsyncSession, *, adaptation: Adaptation, deciding: Deciding | Fate, now: datetime
) -> None:
    """Record what became of an adaptation: done, dropped, or open again."""
    fate = deciding.fate if isinstance(deciding, Deciding) else deciding
    kept = await _follow_through(session, adaptation)
    kept.fate = fate
    kept.decided_at = None if fate is Fate.OPEN else now
    await session.flush()
