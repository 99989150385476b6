"""Scheduled runs: due work as rows (job, subject, due time), each performed once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import WORK_WAITING, Base, UTCDateTime, str_enum
from storage.core import Workspace
from storage.ledger import insert_all_ignoring_duplicates, insert_ignoring_duplicates


class RunStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class ScheduledRun(Base):
    __tablename__ = "scheduled_run"
    __table_args__ = (
        UniqueConstraint("job", "subject", "due_at"),
        Index("ix_scheduled_run_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    job: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "run_status"),
        default=RunStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # after a failure
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)


class PlannerMark(Base):
    """How far the planner has looked: each tick plans only the time since the last one."""

    __tablename__ = "planner_mark"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    planned_through: Mapped[datetime] = mapped_column(UTCDateTime())


async def planned_through(session: AsyncSession, *, name: str, default: datetime) -> datetime:
    """Read (and lock, so replicas plan one at a time) how far planning has got."""
    mark = await session.get(PlannerMark, name, with_for_update=True)
    if mark is None:
        await insert_ignoring_duplicates(
            session,
            PlannerMark.__table__,  # type: ignore[arg-type]
            {"name": name, "planned_through": default},
        )
        mark = await session.get(PlannerMark, name, with_for_update=True, populate_existing=True)
    return default if mark is None else mark.planned_through


async def mark_planned(session: AsyncSession, *, name: str, through: datetime) -> None:
    await session.execute(
        update(PlannerMark).where(PlannerMark.name == name).values(planned_through=through)
    )


async def plan(
    session: AsyncSession,
    *,
    workspace_id: int,
    job: str,
    subject: str,
    due_at: datetime,
    now: datetime,
    status: RunStatus = RunStatus.PENDING,
    note: str | None = None,
) -> bool:
    """Add a run unless the same (job, subject, due time) exists; tell whether it was new."""
    row = _run(workspace_id, job, subject, due_at, status, note, now)
    new = await insert_ignoring_duplicates(session, ScheduledRun.__table__, row)  # type: ignore[arg-type]
    if new and status is RunStatus.PENDING and due_at <= now:
        session.info[WORK_WAITING] = True  # due already (a retrospective started by hand)
    return new


async def plan_many(
    session: AsyncSession,
    *,
    workspace_id: int,
    runs: Sequence[tuple[str, str, datetime]],
    now: datetime,
) -> int:
    """Add pending runs (job, subject, due time) in one statement, skipping those that exist
    (an opening's reminders and close); return how many were new."""
    rows = [_run(workspace_id, *run, RunStatus.PENDING, None, now) for run in runs]
    new = await insert_all_ignoring_duplicates(session, ScheduledRun.__table__, rows)  # type: ignore[arg-type]
    if new and any(due_at <= now for _, _, due_at in runs):
        session.info[WORK_WAITING] = True
    return new


def _run(
    workspace_id: int,
    job: str,
    subject: str,
    due_at: datetime,
    status: RunStatus,
    note: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A run's row as :func:`plan` and :func:`plan_many` insert it."""
    return {
        "workspace_id": workspace_id,
        "job": job,
        "subject": subject,
        "due_at": due_at,
        "status": status.value,
        "attempts": 0,
        "finished_at": now if status is not RunStatus.PENDING else None,
        "note": note,
    }


def _due(now: datetime) -> Any:
    return (
        ScheduledRun.status == RunStatus.PENDING,
        ScheduledRun.due_at <= now,
        or_(ScheduledRun.retry_at.is_(None), ScheduledRun.retry_at <= now),
    )


async def due_runs(
    session: AsyncSession,
    *,
    now: datetime,
    platforms: Collection[str],
    after: tuple[datetime, int] | None = None,
    limit: int,
) -> list[tuple[ScheduledRun, Workspace]]:
    """The oldest ``limit`` due runs of ``platforms`` with their workspaces; read, not taken.

    On PostgreSQL a run another replica holds is skipped (``SKIP LOCKED``); ``take`` takes it.
    """
    statement = (
        select(ScheduledRun, Workspace)
        .join(Workspace, Workspace.id == ScheduledRun.workspace_id)
        .where(*_due(now), Workspace.platform.in_(list(platforms)))
    )
    if after is not None:  # a pass goes on from the last run it found, in (due, id) order
        due_at, run_id = after
        statement = statement.where(
            or_(
                ScheduledRun.due_at > due_at,
                and_(ScheduledRun.due_at == due_at, ScheduledRun.id > run_id),
            )
        )
    found = await session.execute(
        statement.order_by(ScheduledRun.due_at, ScheduledRun.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=ScheduledRun)
    )
    return [(run, workspace) for run, workspace in found]


async def take(session: AsyncSession, *, run_id: int, now: datetime) -> bool:
    """Take a due run for this transaction; False if it is no longer there to take.

    On PostgreSQL the row is locked and other replicas skip it. Taking is also a conditional
    write (still pending, still due), which on SQLite takes the write lock and on every
    database makes sure a run finished or postponed by someone else a moment ago is not
    performed again.
    """
    locked = await session.scalar(
        select(ScheduledRun.id)
        .where(ScheduledRun.id == run_id, *_due(now))
        .with_for_update(skip_locked=True)
    )
    if locked is None:
        return False
    taken = await session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.id == run_id, *_due(now))
        .values(taken_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(taken, "rowcount", 0) == 1


async def take_many(session: AsyncSession, *, run_ids: Collection[int], now: datetime) -> set[int]:
    """``take`` for many runs in two statements: the ids of those this transaction took.

    Runs another replica holds (locked on PostgreSQL) or finished meanwhile are left out.
    """
    locked = await session.scalars(
        select(ScheduledRun.id)
        .where(ScheduledRun.id.in_(list(run_ids)), *_due(now))
        .with_for_update(skip_locked=True)
    )
    ids = list(locked)
    if not ids:
        return set()
    taken = await session.scalars(
        update(ScheduledRun)
        .where(ScheduledRun.id.in_(ids), *_due(now))
        .values(taken_at=now)
        .returning(ScheduledRun.id)
        .execution_options(synchronize_session=False)
    )
    return set(taken)


async def finish_many(
    session: AsyncSession, *, run_ids: Collection[int], status: RunStatus, now: datetime
) -> None:
    await session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.id.in_(list(run_ids)))
        .values(status=status, finished_at=now, note=None)
    )


async def finish(
    session: AsyncSession, *, run_id: int, status: RunStatus, now: datetime, note: str | None
) -> None:
    await session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.id == run_id)
        .values(status=status, finished_at=now, note=note)
    )


async def postpone(
    session: AsyncSession, *, run_id: int, until: datetime, counted: bool, note: str
) -> int:
    """Leave a run that failed until ``until``; count the attempt if it was ours to blame.

    A platform's rate limit is not counted (it is a delay, not a failure). Returns the count.
    """
    run = await session.get(ScheduledRun, run_id, with_for_update=True)
    if run is None or run.status != RunStatus.PENDING:
        return 0
    run.retry_at = until
    run.note = note
    if counted:
        run.attempts += 1
    await session.flush()
    return run.attempts
