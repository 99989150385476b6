"""A retrospective's life: open, answer one question at a time, remind, close, summarise.

Session first, nothing commits. Functions return the messages to send as Delivery objects;
the caller writes them to the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Audience, Button, Delivery, Reply, Section, Visibility
from retrospectives import schedules
from retrospectives.adaptations import texts as adaptation_texts
from retrospectives.adaptations.commands import reference
from retrospectives.cycles import answers, keeping, questions, texts
from retrospectives.cycles.forms import RetroAction
from retrospectives.cycles.questions import Kind, Question
from retrospectives.okrs import guardrails
from storage import okr, retro
from storage.core import Team
from storage.retro import (
    CycleStatus,
    RetroCycle,
    RetroParticipant,
)

ANONYMITY_FLOOR = 3
"""Nobody may set fewer: below three, the others who answered anonymously could tell."""


def anonymity_min(team: Team, deployment_min: int) -> int:
    """The threshold a cycle of this team opens with: the larger of deployment's and team's."""
    return max(ANONYMITY_FLOOR, deployment_min, team.anonymity_min or 0)


async def open_cycle(
    session: AsyncSession,
    *,
    team: Team,
    members: Sequence[str],
    opened_by: str | None,
    now: datetime,
    deployment_anonymity_min: int = ANONYMITY_FLOOR,
) -> tuple[RetroCycle | None, list[Delivery]]:
    """Open a retrospective for the team: the cycle and its messages; nothing (None, no
    messages) if one is open already."""
    if await retro.open_cycle(session, workspace_id=team.workspace_id, team_id=team.id):
        return None, []
    custom = await retro.custom_questions(session, workspace_id=team.workspace_id, team_id=team.id)
    pending = await retro.adaptations_awaiting_follow_up(
        session, workspace_id=team.workspace_id, team_id=team.id
    )
    key_results = await okr.key_results(session, workspace_id=team.workspace_id, team_id=team.id)
    asked = questions.for_cycle(
        custom, [(a.id, a.text) for a in pending], guardrails.question_context(key_results)
    )
    closes_at = schedules.deadline(now, team.timezone)
    cycle = RetroCycle(
        workspace_id=team.workspace_id,
        team_id=team.id,
        title=schedules.cycle_title(
            now, team.timezone, team.retro_schedule if opened_by is None else None
        ),
        status=CycleStatus.OPEN,
        opened_at=now,
        closes_at=closes_at,
        opened_by=opened_by,
        questions=questions.to_rows(asked),
        anonymity_min=anonymity_min(team, deployment_anonymity_min),
    )
    session.add(cycle)
    await session.flush()
    people = sorted(set(members))
    for person in people:
        session.add(RetroParticipant(cycle_id=cycle.id, user_id=person, question_count=len(asked)))
    deadline = schedules.local_label(closes_at, team.timezone)
    announcement = Reply(
        texts.retro_opened_in_channel(team.name, cycle.title, deadline, len(people)),
        visibility=Visibility.CHANNEL,
    )
    deliveries = [
        Delivery(Audience.CHANNEL, team.channel_id, announcement, key=f"retro:{cycle.id}:open")
    ]
    for person in people:
        prompt = Reply(
            texts.retro_prompt(team.name, cycle.title, deadline, len(asked)),
            sections=(answers.question_section(asked, 0),),
            buttons=(Button(texts.ANSWER_IN_FORM, RetroAction.ANSWER_FORM, str(cycle.id)),),
            visibility=Visibility.CHANNEL,
        )
        deliveries.append(
            Delivery(Audience.PERSON, person, prompt, key=f"retro:{cycle.id}:prompt:{person}")
        )
    return cycle, deliveries


async def remind(
    session: AsyncSession, *, cycle: RetroCycle, team: Team, number: int
) -> list[Delivery]:
    """Remind, privately, only the people who have not finished; never more than twice."""
    if cycle.status is not CycleStatus.OPEN:
        return []
    asked = questions.from_rows(cycle.questions)
    deadline = schedules.local_label(cycle.closes_at, team.timezone)
    deliveries = []
    for participant in await retro.participants(session, cycle_id=cycle.id):
        if participant.finished or participant.reminders_sent >= number:
            continue
        participant.reminders_sent = number
        reply = Reply(
            texts.reminder(team.name, cycle.title, deadline),
            sections=(answers.question_section(asked, participant.next_question),),
            buttons=(Button(texts.ANSWER_IN_FORM, RetroAction.ANSWER_FORM, str(cycle.id)),),
            visibility=Visibility.CHANNEL,
        )
        deliveries.append(
            Delivery(
                Audience.PERSON,
                participant.user_id,
                reply,
                key=f"retro:{cycle.id}:remind:{number}:{participant.user_id}",
            )
        )
    await session.flush()
    return deliveries


async def close_cycle(
    session: AsyncSession, *, cycle: RetroCycle, team: Team, now: datetime
) -> list[Delivery]:
    """Close the retrospective, keep what it taught as stories, post the summary.

    Anonymous answers are shown (and kept as stories) only if at least the cycle's
    ``anonymity_min`` people answered anonymously: counting everyone who answered would let
    the named ones single out the anonymous author by elimination.
    """
    if cycle.status is CycleStatus.CLOSED:
        return []
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = now
    people = await retro.participants(session, cycle_id=cycle.id)
    answered = sum(1 for p in people if p.answered_any)
    anonymous_people = sum(1 for p in people if p.answered_anonymously)
    anonymous = await keeping.shuffled_anonymous(session, cycle)
    given = [
        keeping.Said(a.question_key, a.question, a.text, a.author_id)
        for a in await retro.answers(session, cycle_id=cycle.id)
    ]
    # Always-anonymous answers have a threshold of their own: one answer per person, so their
    # number is the number of people who gave them.
    pressure = [a for a in anonymous if a.question_key == Kind.PRESSURE]
    chosen = [a for a in anonymous if a.question_key != Kind.PRESSURE]
    shown = chosen if anonymous_people >= cycle.anonymity_min else []
    shown += pressure if len(pressure) >= cycle.anonymity_min else []
    given += [keeping.Said(a.question_key, a.question, a.text) for a in shown]
    await retro.forget_participants(session, cycle_id=cycle.id)
    by_kind: dict[Kind, list[keeping.Said]] = {}
    for item in given:
        by_kind.setdefault(Question(item.question_key, item.question).kind, []).append(item)
    made = await keeping.keep(session, cycle=cycle, by_kind=by_kind, now=now)
    sections = []
    for kind in _ORDER:
        worth_telling = [
            a.text for a in by_kind.get(kind, ()) if not keeping.nothing_to_report(a, kind)
        ]
        if worth_telling:
            lines = "\n".join(f"• {text}" for text in worth_telling)
            sections.append(Section(title=texts.SUMMARY_TITLES[kind], text=lines))
    if len(shown) < len(anonymous):
        sections.append(Section(text=texts.anonymous_withheld(cycle.anonymity_min)))
    if made:
        refs = [f"{reference(a.id)}: {a.text}" for a in made]
        sections.append(Section(text=adaptation_texts.follow_ups_on_close(refs)))
    summary = Reply(
        texts.summary_heading(team.name, cycle.title, answered, len(people)),
        sections=tuple(sections),
        visibility=Visibility.CHANNEL,
    )
    return [Delivery(Audience.CHANNEL, team.channel_id, summary, key=f"retro:{cycle.id}:summary")]


_ORDER = [
    Kind.FOLLOW_UP,
    Kind.BET,
    Kind.LEARNED,
    Kind.BEHAVIOUR,
    Kind.ADAPT,
    Kind.METRIC,
    Kind.PRESSURE,
]
