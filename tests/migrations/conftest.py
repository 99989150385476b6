"""Blank databases (no schema at all) for tests that run the migrations themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from tests.support import databases


@asynccontextmanager
async def _own_postgres_schema() -> AsyncIterator[str]:
    """An empty PostgreSQL schema apart from `public`, which the other tests keep migrated."""
    databases.postgres_or_skip()
    await databases.recreate_postgres_schema(databases.MIGRATION_SCHEMA)
    try:
        yield databases.MIGRATION_SCHEMA
    finally:
        await databases.drop_postgres_schema(databases.MIGRATION_SCHEMA)


@pytest.fixture
async def blank_postgres_schema() -> AsyncIterator[str]:
    async with _own_postgres_schema() as schema:
        yield schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def blank_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database: a new SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}")
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    async with _own_postgres_schema() as schema:
        engine = databases.postgres_engine(schema=schema)
        try:
            yield engine
        finally:
            await engine.dispose()
