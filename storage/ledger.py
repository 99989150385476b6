"""The processed-event ledger: how okrbot handles each inbound event once.

The outbox, its other half at the outbound edge, is ``storage.outbox``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import base
from storage.base import Base, UTCDateTime


class ProcessedEvent(Base):
    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


ROWS_AT_ONCE = 500
"""Rows in one multi-row INSERT: well inside both databases' limits on bound parameters."""


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: Mapping[str, Any]
) -> bool:
    """Insert one row unless a unique constraint says it exists; tell whether it was new."""
    return await insert_all_ignoring_duplicates(session, table, [values]) == 1


async def insert_all_ignoring_duplicates(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Insert rows in one statement (per 500), skipping those a unique constraint says exist;
    return how many were new."""
    dialect = session.get_bind().dialect.name
    if len(rows) == 1:
        # The usual case (an event's ledger row, a reply's outbox row): the row as the
        # statement's parameters, so SQLAlchemy compiles it once and keeps it. A statement that
        # holds its rows in VALUES is one SQLAlchemy cannot key, so it compiles it on every
        # execution: 6 % of `okrbot work`'s CPU on a PostgreSQL backlog (docs/benchmarks.md, 8c).
        statement = base.insert(dialect, table).on_conflict_do_nothing()
        result = await session.execute(statement, dict(rows[0]))
        return int(getattr(result, "rowcount", 0) or 0)
    written = 0
    for start in range(0, len(rows), ROWS_AT_ONCE):
        chunk = [dict(row) for row in rows[start : start + ROWS_AT_ONCE]]
        statement = base.insert(dialect, table).values(chunk).on_conflict_do_nothing()
        result = await session.execute(statement)
        written += int(getattr(result, "rowcount", 0) or 0)
    return written


# Where a session factory keeps the key that event ids are hashed with (see ``event_key``).
EVENT_KEY = "okrbot.event_key"


def event_key(secret_key: str) -> bytes | None:
    """The deployment's key for hashing event ids, derived from its newest secret key."""
    newest = secret_key.split(",")[0].strip()
    if not newest:
        return None
    return hmac.new(newest.encode(), b"okrbot processed-event ids", hashlib.sha256).digest()


def event_digest(key: bytes | None, platform: str, event_id: str) -> str:
    """What the ledger keeps of an event id: a keyed hash (HMAC-SHA256), or SHA-256 unkeyed.

    An event id can name a person or their 1:1 chat (Teams ids hold the conversation id) and
    the ledger row says when it was handled, so the id itself is never stored. Equal ids give
    equal digests and different ids, for all practical purposes, different ones, so a retry is
    still recognised. Unkeyed, the digest hides the id only from someone who cannot guess it:
    whoever knows a chat's id can hash it and find its rows; keyed, they also need the key.
    """
    message = f"{platform}\0{event_id}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def record_event(
    session: AsyncSession, *, platform: str, event_id: str, now: datetime
) -> bool:
    """Note that an inbound event was handled; False when it had been already."""
    digest = event_digest(session.info.get(EVENT_KEY), platform, event_id)
    return await insert_ignoring_duplicates(
        session,
        ProcessedEvent.__table__,  # type: ignore[arg-type]
        {"platform": platform, "event_id": digest, "processed_at": now},
    )
