"""What a closed retrospective keeps: its answers turned into stories, adaptations, concerns."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives.adaptations import service as adaptations
from retrospectives.adaptations.commands import fate_from_follow_up
from retrospectives.cycles import questions, texts
from retrospectives.cycles.questions import Kind, Question
from retrospectives.okrs import stories
from retrospectives.okrs.commands import StoryDraft
from storage import retro
from storage.okr import AnonymousConcern, MetricConcern, StorySource
from storage.retro import Adaptation, AnonymousAnswer, RetroCycle


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


async def shuffled_anonymous(session: AsyncSession, cycle: RetroCycle) -> list[AnonymousAnswer]:
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


def nothing_to_report(answer: Said, kind: Kind) -> bool:
    """A metric answer that says there is nothing to report ("none", "nothing", ...)."""
    said = answer.text.strip().casefold()
    return kind in (Kind.METRIC, Kind.PRESSURE) and said in questions.NOTHING_TO_REPORT


async def keep(
    session: AsyncSession,
    *,
    cycle: RetroCycle,
    by_kind: Mapping[Kind, Sequence[Said]],
    now: datetime,
) -> list[Adaptation]:
    """Turn answers into learning stories, impact stories, adaptations and concerns.

    Returns the adaptations made, so that the summary can name them for owners to take on.
    """
    scope = {"workspace_id": cycle.workspace_id, "team_id": cycle.team_id}
    bets = {a.author_id: a.text for a in by_kind.get(Kind.BET, ()) if a.author_id}
    for item in by_kind.get(Kind.LEARNED, ()):
        bet = bets.get(item.author_id) if item.author_id else None
        told = {"learned": item.text, "hypothesis": bet} if bet else {"learned": item.text}
        session.add(
            stories.learning_story(
                workspace_id=cycle.workspace_id,
                team_id=cycle.team_id,
                author_id=item.author_id,
                draft=StoryDraft(text=item.text, fields=told),
                source=StorySource.RETRO,
                now=now,
            )
        )
    for item in by_kind.get(Kind.BEHAVIOUR, ()):
        session.add(
            stories.impact_story(
                workspace_id=cycle.workspace_id,
                team_id=cycle.team_id,
                author_id=item.author_id,
                draft=StoryDraft(text=item.text, fields={}),
                source=StorySource.RETRO,
                now=now,
            )
        )
    made = [
        Adaptation(**scope, cycle_id=cycle.id, text=item.text, created_at=now)
        for item in by_kind.get(Kind.ADAPT, ())
    ]
    session.add_all(made)
    for item in by_kind.get(Kind.METRIC, ()):
        if nothing_to_report(item, Kind.METRIC):
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
    for item in by_kind.get(Kind.PRESSURE, ()):  # a theme for the leads, never who said it
        if not nothing_to_report(item, Kind.PRESSURE):
            session.add(
                AnonymousConcern(
                    **scope,
                    metric=texts.PRESSURE_FROM_RETRO,
                    harm=item.text,
                    raised_on=now.date(),
                    told_at=now,
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
            await _decide_from(session, adaptation, said, now)
    await session.flush()
    return made


async def _decide_from(
    session: AsyncSession, adaptation: Adaptation, said: Sequence[str], now: datetime
) -> None:
    """Keep what the team said it decided (kept or changed: done; dropped), if it said so."""
    fates = {fate_from_follow_up(text) for text in said} - {None}
    if len(fates) == 1:  # the team agreed; mixed answers leave the adaptation as it stood
        [fate] = fates
        if fate is not None:
            await adaptations.decide(session, adaptation=adaptation, deciding=fate, now=now)
