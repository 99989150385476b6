"""Retrospective cycles, who takes part, their answers, adaptations and custom questions."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    delete,
    false,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, str_enum


class CycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RetroCycle(Base):
    """One retrospective of one team: opened, answered, reminded, closed and summarised."""

    __tablename__ = "retro_cycle"
    __table_args__ = (Index("ix_retro_cycle_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(80))
    status: Mapped[CycleStatus] = mapped_column(str_enum(CycleStatus, "cycle_status"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_by: Mapped[str | None] = mapped_column(String(128))  # None when the schedule opened it
    # The questions as asked when the cycle opened: [{"key": ..., "text": ...}, ...]
    questions: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # How many people must answer anonymously before any anonymous answer is shown; fixed
    # when the cycle opens, and only ever raised after.
    anonymity_min: Mapped[int] = mapped_column(default=3, server_default="3")


class RetroParticipant(Base):
    """A member asked to take part; tracks where they are, never what they said.

    Working state of an open cycle: deleted at the close, except for people who left questions
    unanswered under their name (so a late answer can still become their learning story).
    """

    __tablename__ = "retro_participant"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("retro_cycle.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    next_question: Mapped[int] = mapped_column(default=0)
    question_count: Mapped[int]
    anonymous: Mapped[bool] = mapped_column(default=False)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    answered_any: Mapped[bool] = mapped_column(default=False)
    # Counted at the close against the cycle's anonymity_min; never tied to what was said.
    answered_anonymously: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def finished(self) -> bool:
        return self.next_question >= self.question_count


class RetroAnswer(Base):
    """One answer to one question, under its author's name (anonymous ones live apart)."""

    __tablename__ = "retro_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("retro_cycle.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(128))  # None once erased
    text: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnonymousAnswer(Base):
    """An answer given anonymously: no author, no participant, only the day, a random id.

    A table of its own, so its ids and rows never interleave with anyone's named answers; the
    close rewrites a cycle's rows in a shuffled order, so not even their order on disk tells
    whose answers came together.
    """

    __tablename__ = "retro_anonymous_answer"
    __table_args__ = (Index("ix_retro_anonymous_answer_cycle_id", "cycle_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: random_id())
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("retro_cycle.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    answered_on: Mapped[date]


def random_id() -> str:
    """An id that says nothing about when its row was written."""
    return secrets.token_hex(16)


class Adaptation(Base):
    """Something a team said it would change, asked about again next cycle."""

    __tablename__ = "adaptation"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("retro_cycle.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    follow_up: Mapped[str | None] = mapped_column(Text)  # what the team said next cycle
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RetroQuestion(Base):
    """A team's own wording of a retrospective question, replacing the default."""

    __tablename__ = "retro_question"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def open_cycle(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> RetroCycle | None:
    return await session.scalar(
        select(RetroCycle).where(
            RetroCycle.workspace_id == workspace_id,
            RetroCycle.team_id == team_id,
            RetroCycle.status == CycleStatus.OPEN,
        )
    )


async def cycle_by_id(
    session: AsyncSession, *, workspace_id: int, cycle_id: int
) -> RetroCycle | None:
    return await session.scalar(
        select(RetroCycle).where(RetroCycle.workspace_id == workspace_id, RetroCycle.id == cycle_id)
    )


async def participants(session: AsyncSession, *, cycle_id: int) -> Sequence[RetroParticipant]:
    result = await session.scalars(
        select(RetroParticipant)
        .where(RetroParticipant.cycle_id == cycle_id)
        .order_by(RetroParticipant.user_id)
    )
    return result.all()


async def participation_of(
    session: AsyncSession, *, workspace_id: int, user_id: str, status: CycleStatus
) -> Sequence[tuple[RetroParticipant, RetroCycle]]:
    """A person's places in this workspace's open (or closed) cycles, oldest first."""
    result = await session.execute(
        select(RetroParticipant, RetroCycle)
        .join(RetroCycle, RetroCycle.id == RetroParticipant.cycle_id)
        .where(
            RetroCycle.workspace_id == workspace_id,
            RetroCycle.status == status,
            RetroParticipant.user_id == user_id,
        )
        .order_by(RetroCycle.opened_at, RetroCycle.id)
    )
    return [(participant, cycle) for participant, cycle in result]


async def answers(session: AsyncSession, *, cycle_id: int) -> Sequence[RetroAnswer]:
    result = await session.scalars(
        select(RetroAnswer).where(RetroAnswer.cycle_id == cycle_id).order_by(RetroAnswer.id)
    )
    return result.all()


async def anonymous_answers(session: AsyncSession, *, cycle_id: int) -> Sequence[AnonymousAnswer]:
    result = await session.scalars(
        select(AnonymousAnswer)
        .where(AnonymousAnswer.cycle_id == cycle_id)
        .order_by(AnonymousAnswer.question_key, AnonymousAnswer.text, AnonymousAnswer.id)
    )
    return result.all()


async def forget_participants(session: AsyncSession, *, cycle_id: int) -> None:
    """Delete a closed cycle's working state, keeping only unfinished, named places."""
    await session.execute(
        delete(RetroParticipant)
        .where(RetroParticipant.cycle_id == cycle_id)
        .where(
            (RetroParticipant.next_question >= RetroParticipant.question_count)
            | RetroParticipant.anonymous.is_(True)
        )
        .execution_options(synchronize_session=False)
    )


async def adaptations_awaiting_follow_up(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> Sequence[Adaptation]:
    result = await session.scalars(
        select(Adaptation)
        .where(
            Adaptation.workspace_id == workspace_id,
            Adaptation.team_id == team_id,
            Adaptation.followed_up_at.is_(None),
        )
        .order_by(Adaptation.id)
    )
    return result.all()


async def custom_questions(
    session: AsyncSession, *, workspace_id: int, team_id: int
) -> dict[str, str]:
    result = await session.scalars(
        select(RetroQuestion).where(
            RetroQuestion.workspace_id == workspace_id, RetroQuestion.team_id == team_id
        )
    )
    return {q.key: q.text for q in result}


async def question_by_key(
    session: AsyncSession, *, workspace_id: int, team_id: int, key: str
) -> RetroQuestion | None:
    return await session.scalar(
        select(RetroQuestion).where(
            RetroQuestion.workspace_id == workspace_id,
            RetroQuestion.team_id == team_id,
            RetroQuestion.key == key,
        )
    )


async def reset_questions(
    session: AsyncSession, *, workspace_id: int, team_id: int, key: str | None = None
) -> None:
    """Go back to the default wording of one of a team's questions, or of all of them."""
    statement = delete(RetroQuestion).where(
        RetroQuestion.workspace_id == workspace_id, RetroQuestion.team_id == team_id
    )
    if key is not None:
        statement = statement.where(RetroQuestion.key == key)
    await session.execute(statement)


async def participant(
    session: AsyncSession, *, cycle_id: int, user_id: str
) -> RetroParticipant | None:
    """One person's place in a retrospective; None if they were not asked."""
    return await session.get(RetroParticipant, (cycle_id, user_id))


async def set_question(
    session: AsyncSession,
    *,
    workspace_id: int,
    team_id: int,
    key: str,
    text: str,
    by: str,
    now: datetime,
) -> None:
    """Word one of a team's questions its own way."""
    found = await question_by_key(session, workspace_id=workspace_id, team_id=team_id, key=key)
    if found is None:
        found = RetroQuestion(workspace_id=workspace_id, team_id=team_id, key=key)
        session.add(found)
    found.text, found.updated_by, found.updated_at = text, by, now
