"""A retrospective's life: open, answer one question at a time, remind, close, summarise.

Session first, nothing commits. Functions return the messages to send as Delivery objects;
the caller writes them to the outbox in the same transaction.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Audience, Button, Delivery, Reply, Section, Visibility
from retrospectives import schedules, texts
from retrospectives.cycles import questions
from retrospectives.cycles.questions import Kind, Question
from retrospectives.errors import InvalidInput
from storage import retro
from storage.core import Team
from storage.okr import AnonymousConcern, ImpactStory, LearningStory, MetricConcern, StorySource
from storage.retro import (
    Adaptation,
    AnonymousAnswer,
    CycleStatus,
    RetroAnswer,
    RetroCycle,
    RetroParticipant,
)

ANONYMITY_FLOOR = 3
"""Nobody may set fewer: below three, the others who answered anonymously could tell."""
LATE_ANSWER_WINDOW = timedelta(days=30)
MAX_ANSWER = 3000
ANSWER_FORM_BUTTON = "retro.answer_form"


@dataclass(frozen=True, slots=True)
class Said:
    """An answer as the close uses it: named answers keep an author, anonymous ones none."""

    question_key: str
    question: str
    text: str
    author_id: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.author_id is None


def anonymity_min(team: Team, deployment_min: int) -> int:
    """The threshold a cycle of this team opens with: the larger of deployment's and team's."""
    return max(ANONYMITY_FLOOR, deployment_min, team.anonymity_min or 0)


@dataclass(frozen=True, slots=True)
class Answered:
    """What the bot says back to someone answering in conversation."""

    reply: str
    sections: tuple[Section, ...] = ()


async def open_cycle(
    session: AsyncSession,
    *,
    team: Team,
    members: Sequence[str],
    opened_by: str | None,
    now: datetime,
    deployment_anonymity_min: int = ANONYMITY_FLOOR,
) -> list[Delivery]:
    """Open a retrospective for the team; nothing happens if one is open already."""
    if await retro.open_cycle(session, workspace_id=team.workspace_id, team_id=team.id):
        return []
    custom = await retro.custom_questions(session, workspace_id=team.workspace_id, team_id=team.id)
    pending = await retro.adaptations_awaiting_follow_up(
        session, workspace_id=team.workspace_id, team_id=team.id
    )
    asked = questions.for_cycle(custom, [(a.id, a.text) for a in pending])
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
            sections=(_question_section(asked, 0),),
            buttons=(Button(texts.ANSWER_IN_FORM, ANSWER_FORM_BUTTON, str(cycle.id)),),
            visibility=Visibility.CHANNEL,
        )
        deliveries.append(
            Delivery(Audience.PERSON, person, prompt, key=f"retro:{cycle.id}:prompt:{person}")
        )
    return deliveries


async def answer_in_conversation(
    session: AsyncSession, *, workspace_id: int, user_id: str, text: str, now: datetime
) -> Answered | None:
    """Take a direct message as the answer to the person's current question, if they have one.

    ``skip`` skips the question, ``anonymous`` makes the remaining answers anonymous. After the
    close, the message is kept as a learning story instead of being lost.
    """
    places = await retro.participation_of(
        session, workspace_id=workspace_id, user_id=user_id, status=CycleStatus.OPEN
    )
    for participant, cycle in places:
        if not participant.finished:
            return await _answer(session, participant, cycle, text, now)
    return await _late_answer(
        session, workspace_id=workspace_id, user_id=user_id, text=text, now=now
    )


async def _answer(
    session: AsyncSession,
    participant: RetroParticipant,
    cycle: RetroCycle,
    text: str,
    now: datetime,
) -> Answered:
    asked = questions.from_rows(cycle.questions)
    command = text.strip().casefold().rstrip(".!")
    if command == "anonymous":
        participant.anonymous = True
        return Answered(
            texts.now_anonymous(cycle.anonymity_min),
            (_question_section(asked, participant.next_question),),
        )
    if command == "skip":
        participant.next_question += 1
        return _next(asked, participant, cycle, texts.SKIPPED)
    _check_length(text)
    question = asked[participant.next_question]
    _record(session, cycle, participant, question, text.strip(), now)
    participant.next_question += 1
    await session.flush()
    return _next(asked, participant, cycle, texts.THANKS_FOR_ANSWER)


def _record(
    session: AsyncSession,
    cycle: RetroCycle,
    participant: RetroParticipant,
    question: Question,
    text: str,
    now: datetime,
) -> None:
    """Keep one answer: under the person's name, or apart with no author and only the day."""
    if participant.anonymous:
        session.add(
            AnonymousAnswer(
                workspace_id=cycle.workspace_id,
                cycle_id=cycle.id,
                question_key=question.key,
                question=question.text,
                text=text,
                answered_on=now.date(),
            )
        )
        participant.answered_anonymously = True
    else:
        session.add(
            RetroAnswer(
                workspace_id=cycle.workspace_id,
                cycle_id=cycle.id,
                question_key=question.key,
                question=question.text,
                author_id=participant.user_id,
                text=text,
                answered_at=now,
            )
        )
    participant.answered_any = True


def _next(
    asked: Sequence[Question], participant: RetroParticipant, cycle: RetroCycle, said: str
) -> Answered:
    if participant.finished:
        return Answered(texts.all_answered(cycle.title))
    return Answered(said, (_question_section(asked, participant.next_question),))


async def answer_with_form(
    session: AsyncSession,
    *,
    workspace_id: int,
    cycle_id: int,
    user_id: str,
    values: Mapping[str, str],
    now: datetime,
) -> str:
    """Record the answers given in the retrospective form; the same rows as in conversation."""
    cycle = await retro.cycle_by_id(session, workspace_id=workspace_id, cycle_id=cycle_id)
    participant = (
        await session.get(RetroParticipant, (cycle.id, user_id)) if cycle is not None else None
    )
    if cycle is None or participant is None:
        raise InvalidInput(texts.NOT_YOUR_RETRO)
    if cycle.status is not CycleStatus.OPEN:
        raise InvalidInput(texts.RETRO_ALREADY_CLOSED)
    if values.get("anonymous") == "yes":
        participant.anonymous = True
    asked = questions.from_rows(cycle.questions)
    too_long = {
        q.key: texts.answer_too_long(MAX_ANSWER)
        for q in asked
        if len(values.get(q.key, "")) > MAX_ANSWER
    }
    if too_long:
        raise InvalidInput(texts.answer_too_long(MAX_ANSWER), form_errors=too_long)
    for question in asked[participant.next_question :]:
        given = values.get(question.key, "").strip()
        if given:
            _record(session, cycle, participant, question, given, now)
    participant.next_question = participant.question_count
    await session.flush()
    return texts.all_answered(cycle.title)


def remaining_questions(cycle: RetroCycle, participant: RetroParticipant) -> list[Question]:
    return questions.from_rows(cycle.questions)[participant.next_question :]


async def _late_answer(
    session: AsyncSession, *, workspace_id: int, user_id: str, text: str, now: datetime
) -> Answered | None:
    places = await retro.participation_of(
        session, workspace_id=workspace_id, user_id=user_id, status=CycleStatus.CLOSED
    )
    recent = [
        (p, c)
        for p, c in places
        if not p.finished and c.closed_at is not None and now - c.closed_at < LATE_ANSWER_WINDOW
    ]
    if not recent or recent[-1][0].anonymous:
        return None  # an anonymous place is forgotten at the close; this one is a leftover
    participant, cycle = recent[-1]
    _check_length(text)
    session.add(
        LearningStory(
            workspace_id=workspace_id,
            team_id=cycle.team_id,
            author_id=user_id,
            text=text.strip(),
            learned=text.strip(),
            source=StorySource.RETRO,
            awaiting_outcome=False,
            created_at=now,
        )
    )
    participant.next_question = participant.question_count
    await session.flush()
    return Answered(texts.late_answer_kept(cycle.title))


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
            sections=(_question_section(asked, participant.next_question),),
            buttons=(Button(texts.ANSWER_IN_FORM, ANSWER_FORM_BUTTON, str(cycle.id)),),
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
    anonymous = await _shuffled_anonymous(session, cycle)
    given = [
        Said(a.question_key, a.question, a.text, a.author_id)
        for a in await retro.answers(session, cycle_id=cycle.id)
    ]
    if anonymous_people >= cycle.anonymity_min:
        given += [Said(a.question_key, a.question, a.text) for a in anonymous]
    await retro.forget_participants(session, cycle_id=cycle.id)
    by_kind: dict[Kind, list[Said]] = {}
    for item in given:
        by_kind.setdefault(Question(item.question_key, item.question).kind, []).append(item)
    await _keep(session, cycle=cycle, by_kind=by_kind, now=now)
    sections = []
    for kind in _ORDER:
        worth_telling = [a.text for a in by_kind.get(kind, ()) if not _nothing(a, kind)]
        if worth_telling:
            lines = "\n".join(f"• {text}" for text in worth_telling)
            sections.append(Section(title=texts.SUMMARY_TITLES[kind], text=lines))
    if anonymous and anonymous_people < cycle.anonymity_min:
        sections.append(Section(text=texts.anonymous_withheld(cycle.anonymity_min)))
    summary = Reply(
        texts.summary_heading(team.name, cycle.title, answered, len(people)),
        sections=tuple(sections),
        visibility=Visibility.CHANNEL,
    )
    return [Delivery(Audience.CHANNEL, team.channel_id, summary, key=f"retro:{cycle.id}:summary")]


_ORDER = [Kind.FOLLOW_UP, Kind.BET, Kind.LEARNED, Kind.BEHAVIOUR, Kind.ADAPT, Kind.METRIC]


async def _shuffled_anonymous(session: AsyncSession, cycle: RetroCycle) -> list[AnonymousAnswer]:
    """Rewrite the cycle's anonymous answers in a random order, with new ids.

    Rows written as answers came keep their arrival order on disk (SQLite's rowid, PostgreSQL's
    heap); written again shuffled, that order says nothing about whose answers came together.
    """
    kept = list(await retro.anonymous_answers(session, cycle_id=cycle.id))
    for row in kept:
        await session.delete(row)
    await session.flush()
    _SHUFFLE(kept)
    fresh = [
        AnonymousAnswer(
            workspace_id=a.workspace_id,
            cycle_id=a.cycle_id,
            question_key=a.question_key,
            question=a.question,
            text=a.text,
            answered_on=a.answered_on,
        )
        for a in kept
    ]
    for row in fresh:
        session.add(row)
        await session.flush()  # one at a time: insert order is the shuffled order
    return fresh


_SHUFFLE = random.SystemRandom().shuffle


def _nothing(answer: Said, kind: Kind) -> bool:
    return kind is Kind.METRIC and answer.text.strip().casefold() in questions.NOTHING_TO_REPORT


async def _keep(
    session: AsyncSession,
    *,
    cycle: RetroCycle,
    by_kind: Mapping[Kind, Sequence[Said]],
    now: datetime,
) -> None:
    """Turn answers into learning stories, impact stories, adaptations and concerns."""
    scope = {"workspace_id": cycle.workspace_id, "team_id": cycle.team_id}
    bets = {a.author_id: a.text for a in by_kind.get(Kind.BET, ()) if a.author_id}
    for item in by_kind.get(Kind.LEARNED, ()):
        session.add(
            LearningStory(
                **scope,
                author_id=item.author_id,
                text=item.text,
                hypothesis=bets.get(item.author_id) if item.author_id else None,
                learned=item.text,
                source=StorySource.RETRO,
                awaiting_outcome=False,
                created_at=now,
            )
        )
    for item in by_kind.get(Kind.BEHAVIOUR, ()):
        session.add(
            ImpactStory(
                **scope,
                author_id=item.author_id,
                text=item.text,
                source=StorySource.RETRO,
                created_at=now,
            )
        )
    for item in by_kind.get(Kind.ADAPT, ()):
        session.add(Adaptation(**scope, cycle_id=cycle.id, text=item.text, created_at=now))
    for item in by_kind.get(Kind.METRIC, ()):
        if _nothing(item, Kind.METRIC):
            continue
        if item.anonymous:  # shown in the summary now, so the leads are told now
            session.add(
                AnonymousConcern(
                    **scope,
                    metric=texts.METRIC_FROM_RETRO,
                    harm=item.text,
                    raised_on=now.date(),
                    told_at=now,
                )
            )
        else:
            session.add(
                MetricConcern(
                    **scope,
                    author_id=item.author_id,
                    metric=texts.METRIC_FROM_RETRO,
                    harm=item.text,
                    created_at=now,
                )
            )
    follow_ups: dict[int, list[str]] = {}
    for item in by_kind.get(Kind.FOLLOW_UP, ()):
        adaptation_id = Question(item.question_key, item.question).adaptation_id
        if adaptation_id is not None:
            follow_ups.setdefault(adaptation_id, []).append(item.text)
    for adaptation_id, said in follow_ups.items():
        adaptation = await session.get(Adaptation, adaptation_id)
        if adaptation is not None and adaptation.workspace_id == cycle.workspace_id:
            adaptation.follow_up = " / ".join(said)
            adaptation.followed_up_at = now
    await session.flush()


def _question_section(asked: Sequence[Question], index: int) -> Section:
    return Section(title=texts.question_title(index + 1, len(asked)), text=asked[index].text)


def _check_length(text: str) -> None:
    if len(text) > MAX_ANSWER:
        raise InvalidInput(texts.answer_too_long(MAX_ANSWER))
