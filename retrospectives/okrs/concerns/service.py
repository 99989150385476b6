"""What the concern loop does to the data. Session first; nothing here commits."""

from __future__ import annotations

import random
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives import schedules
from retrospectives.errors import InvalidInput
from retrospectives.okrs import service as okrs
from retrospectives.okrs.concerns import texts
from retrospectives.okrs.concerns.commands import ConcernDraft
from storage import concerns
from storage.concerns import Concern
from storage.core import Team
from storage.okr import AnonymousConcern, ConcernDecision, MetricConcern

_SYSTEM_RANDOM = secrets.SystemRandom()


async def new_reference(
    session: AsyncSession, *, team: Team, rng: random.Random = _SYSTEM_RANDOM
) -> int:
    """A reference no concern of the team has, drawn at random so it tells nothing of order."""
    used = await concerns.used_references(session, team_id=team.id)
    ceiling = 999
    while len(used) * 2 > ceiling:  # keep a draw's odds of a free number above one half
        ceiling = ceiling * 10 + 9
    while (reference := rng.randint(1, ceiling)) in used:
        pass
    return reference


async def raise_concern(
    session: AsyncSession,
    *,
    team: Team,
    author_id: str,
    draft: ConcernDraft,
    now: datetime,
    rng: random.Random = _SYSTEM_RANDOM,
) -> Concern:
    """Keep a concern under its reference: named with its author and time, or anonymous.

    An anonymous one keeps no author and only its day; leads (and, if the team sees it, the
    channel) hear of it in the next morning notice, never as it is typed.
    """
    reference = await new_reference(session, team=team, rng=rng)
    parts = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "reference": reference,
        "metric": draft.metric,
        "harm": draft.harm,
        "drives": draft.drives,
        "harms": draft.harms,
        "instead": draft.instead,
        "team_visible": draft.team_visible,
    }
    concern: Concern
    if draft.anonymous:
        concern = AnonymousConcern(**parts, raised_on=now.date())
    else:
        concern = MetricConcern(**parts, author_id=author_id, created_at=now)
    session.add(concern)
    await session.flush()
    return concern


def arrives(concern: AnonymousConcern, team: Team) -> datetime:
    """When the leads hear of an anonymous concern: the morning after its day."""
    return schedules.concern_notice_time(concern.raised_on, team.timezone)


async def find(session: AsyncSession, *, team: Team, reference: int, told: bool = True) -> Concern:
    """A team's concern by reference; with ``told``, an anonymous one only once leads know it.

    Before its morning notice an anonymous concern cannot be voiced or answered: acting on it
    sooner would show when it was typed.
    """
    found = await concerns.by_reference(
        session, workspace_id=team.workspace_id, team_id=team.id, reference=reference
    )
    if told and isinstance(found, AnonymousConcern) and found.told_at is None:
        found = None
    if found is None:
        raise InvalidInput(texts.no_concern(team.name, f"C{reference}"))
    return found


def shown_to_team(concern: Concern) -> bool:
    """Whether the team's channel has seen the concern (anonymous ones wait for the notice)."""
    if isinstance(concern, AnonymousConcern) and concern.told_at is None:
        return False
    return concern.team_visible or concern.answered_at is not None


async def add_parts(
    session: AsyncSession, *, team: Team, reference: int, user_id: str, parts: dict[str, str]
) -> Concern:
    """Add the parts a concern lacked: by its named author, or, anonymous, before leads read it.

    Only empty parts are filled, so nobody who learns a reference can change what was said.
    """
    concern = await find(session, team=team, reference=reference, told=False)
    if isinstance(concern, MetricConcern):
        allowed = concern.author_id == user_id
    else:
        allowed = concern.told_at is None
    if not allowed or concern.answered_at is not None:
        raise InvalidInput(texts.NOT_YOURS)
    for name, value in parts.items():
        if getattr(concern, name) is None:
            setattr(concern, name, value)
    await session.flush()
    return concern


async def add_voice(
    session: AsyncSession, *, team: Team, reference: int, user_id: str, anonymous: bool
) -> Concern:
    """Count someone's voice once, by name or anonymously; keep no list of who."""
    concern = await find(session, team=team, reference=reference)
    if not concern.team_visible or not shown_to_team(concern):
        raise InvalidInput(texts.VOICE_NOT_TEAM)
    marker = concerns.voice_marker(session, team_id=team.id, reference=reference, user_id=user_id)
    if not await concerns.add_voice(session, team_id=team.id, reference=reference, marker=marker):
        raise InvalidInput(texts.voice_already(concern.code))
    if anonymous:
        concern.voices_anonymous += 1
    else:
        concern.voices_named += 1
    await session.flush()
    return concern


async def answer(
    session: AsyncSession,
    *,
    team: Team,
    reference: int,
    lead_id: str,
    decision: ConcernDecision | None,
    text: str,
    now: datetime,
) -> Concern:
    """A lead records what the team decided; the concern is answered from now on."""
    okrs.require_lead(team, lead_id)
    concern = await find(session, team=team, reference=reference)
    if concern.answered_at is not None:
        raise InvalidInput(texts.ANSWERED_ALREADY)
    concern.answer = text
    concern.decision = decision
    concern.answered_at = now
    await session.flush()
    return concern
