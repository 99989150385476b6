"""Scheduled work of adaptations: ask on its date whether an adaptation happened.

The run is planned when someone takes an adaptation on with a date (``service.take_on``); its
subject ``adaptation:<id>:<date>`` carries the date, so a run for a date since changed asks
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import JobSpec
from bot.events import Due
from bot.replies import Audience, Delivery, Reply, Visibility
from retrospectives.adaptations import service, texts
from retrospectives.adaptations.commands import reference
from storage import core, learning
from storage.learning import Fate


@dataclass(frozen=True, slots=True)
class Check:
    """The question on an adaptation's date, stored as ``adaptation:<id>:<YYYY-MM-DD>``."""

    adaptation_id: int
    due_on: date

    def key(self) -> str:
        return service.check_subject(self.adaptation_id, self.due_on)

    @classmethod
    def read(cls, key: str) -> Check | None:
        found = service.read_check_subject(key)
        return None if found is None else cls(*found)


async def ask(session: AsyncSession, due: Due[Check], _: None) -> Sequence[Delivery]:
    """Ask the owner, or the team's channel, whether the adaptation happened; once."""
    subject = due.subject
    kept = await learning.follow_through(
        session, workspace_id=due.workspace_id, adaptation_id=subject.adaptation_id
    )
    if kept is None or kept.fate is not Fate.OPEN or kept.due_on != subject.due_on:
        return []  # decided already, or its date moved: a later run asks
    adaptation = await learning.adaptation(
        session, workspace_id=due.workspace_id, adaptation_id=subject.adaptation_id
    )
    if adaptation is None:
        return []
    team = await core.team_by_id(session, workspace_id=due.workspace_id, team_id=adaptation.team_id)
    if team is None:
        return []
    kept.asked_at = due.now
    question = texts.check_question(
        reference(adaptation.id), adaptation.text, subject.due_on.isoformat()
    )
    key = f"{subject.key()}:asked"
    if kept.owner_id is None:
        reply = Reply(question, visibility=Visibility.CHANNEL)
        return [Delivery(Audience.CHANNEL, team.channel_id, reply, key=key)]
    return [Delivery(Audience.PERSON, kept.owner_id, Reply(question), key=key)]


def specs() -> list[JobSpec[AsyncSession, Any, Any]]:
    """The adaptations' jobs."""
    check: JobSpec[AsyncSession, Check, None] = JobSpec(
        name=service.CHECK_JOB, subject_key=Check.key, read_subject=Check.read, perform=ask
    )
    return [check]
