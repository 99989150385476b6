"""The engine sets SQLite up for one process with many tasks: WAL and enforced foreign keys."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core
from storage.engine import create_engine, is_sqlite


async def test_sqlite_file_database_uses_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        await engine.dispose()


async def test_concurrent_writers_on_sqlite_queue_instead_of_finding_it_locked(
    sqlite_url: str,
) -> None:
    """Twenty transactions at once, each holding the write lock across an await: with SQLite's
    busy handler allowed only 50 ms, any writer left to it would fail with "database is
    locked"; the process's transactions wait their turn on the pool instead."""
    engine = create_engine(sqlite_url, connect_args={"timeout": 0.05})
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE burst (n INTEGER PRIMARY KEY)"))

        async def write(n: int) -> None:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO burst (n) VALUES (:n)"), {"n": n})
                await asyncio.sleep(0.01)  # e.g. the next statement of the same event

        await asyncio.gather(*(write(n) for n in range(20)))
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM burst")) == 20
    finally:
        await engine.dispose()


def test_sqlite_is_told_apart_from_postgresql() -> None:
    assert is_sqlite("sqlite+aiosqlite:///okrbot.db")
    assert not is_sqlite("postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def test_a_row_pointing_at_no_workspace_is_refused(session: AsyncSession) -> None:
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            core.add_team(
                session,
                workspace_id=999,
                name="Ghost",
                channel_id="C9",
                timezone="UTC",
                created_by="U1",
                now=datetime(2027, 1, 4, 9, 0, tzinfo=UTC),
            )
