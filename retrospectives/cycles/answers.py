"""Answering a retrospective: one question at a time in conversation, or all in the form.

Named answers keep their author; anonymous ones go apart with no author and only the day. After
the close, a late answer is kept as a learning story instead of being lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Section
from retrospectives.cycles import questions, texts
from retrospectives.cycles.questions import Question
from retrospectives.errors import InvalidInput
from retrospectives.okrs import stories
from retrospectives.okrs.commands import StoryDraft
from storage import retro
from storage.okr import StorySource
from storage.retro import AnonymousAnswer, CycleStatus, RetroAnswer, RetroCycle, RetroParticipant

LATE_ANSWER_WINDOW = timedelta(days=30)
MAX_ANSWER = 3000


@dataclass(frozen=True, slots=True)
class Answered:
    """What the bot says back to someone answering in conversation."""

    reply: str
    sections: tuple[Section, ...] = ()


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
            (question_section(asked, participant.next_question),),
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
    if participant.anonymous or question.kind in questions.ALWAYS_ANONYMOUS:
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
        # The threshold k for the other answers counts those who chose anonymity, not those
        # who answered an always-anonymous question (those are counted apart, at the close).
        participant.answered_anonymously = participant.answered_anonymously or participant.anonymous
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
    return Answered(said, (question_section(asked, participant.next_question),))


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
        await retro.participant(session, cycle_id=cycle.id, user_id=user_id) if cycle else None
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
    """The questions a person has still to answer."""
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
    said = text.strip()
    session.add(
        stories.learning_story(
            workspace_id=workspace_id,
            team_id=cycle.team_id,
            author_id=user_id,
            draft=StoryDraft(text=said, fields={"learned": said}),
            source=StorySource.RETRO,
            now=now,
        )
    )
    participant.next_question = participant.question_count
    await session.flush()
    return Answered(texts.late_answer_kept(cycle.title))


def question_section(asked: Sequence[Question], index: int) -> Section:
    """The question a person answers next, numbered among those asked."""
    return Section(title=texts.question_title(index + 1, len(asked)), text=asked[index].text)


def _check_length(text: str) -> None:
    if len(text) > MAX_ANSWER:
        raise InvalidInput(texts.answer_too_long(MAX_ANSWER))
