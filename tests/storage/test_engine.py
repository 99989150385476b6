"""The engine sets SQLite up for one process with many tasks: WAL and enforced foreign keys."""

from __future__ import annotations

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
