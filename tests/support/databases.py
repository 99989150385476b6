"""Real databases for tests: a migrated SQLite file per test, and PostgreSQL when reachable."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from storage.engine import create_engine
from storage.schema import metadata

POSTGRES_URL = os.environ.get(
    "OKRBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# Apart from `public`, which the other database tests share; one per test process.
MIGRATION_SCHEMA = f"okrbot_migration_{os.getpid()}"
REQUIRE_POSTGRES = os.environ.get("OKRBOT_REQUIRE_POSTGRES") == "1"


def run_blocking(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to its end from sync code, even while an event loop runs here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()


def sqlite_template(directory: Path) -> Path:
    """Migrate one SQLite file per test run; each test gets a copy of it."""
    template = directory / "template.db"
    if not template.exists():
        run_blocking(_migrate(f"sqlite+aiosqlite:///{template}"))
    return template


def fresh_sqlite_url(template: Path, directory: Path) -> str:
    target = directory / "okrbot.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def _postgres_reason() -> str | None:
    engine = create_engine(POSTGRES_URL, pool_pre_ping=False)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means "not here"
        return f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(error).__name__})"
    finally:
        await engine.dispose()
    return None


async def reset_postgres() -> None:
    """Drop everything in the test database and migrate it from scratch."""
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await _migrate(POSTGRES_URL)


async def empty_postgres() -> None:
    """Remove every row (the schema stays), so each test starts from nothing."""
    tables = ", ".join(f'"{name}"' for name in metadata.tables)
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


def postgres_engine(*, schema: str | None = None, **options: Any) -> AsyncEngine:
    """An engine on the PostgreSQL test database; with ``schema``, confined to that schema."""
    if schema is not None:
        options["connect_args"] = {"server_settings": {"search_path": schema}}
    return create_engine(POSTGRES_URL, **options)


async def recreate_postgres_schema(name: str) -> None:
    """Give ``name`` an empty schema of its own, apart from the shared ``public`` one."""
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            await connection.execute(text(f'CREATE SCHEMA "{name}"'))
    finally:
        await engine.dispose()


async def drop_postgres_schema(name: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        await engine.dispose()


def postgres_or_skip() -> None:
    reason = run_blocking(_postgres_reason())
    if reason is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"{reason}, and OKRBOT_REQUIRE_POSTGRES=1 says it must run here")
    pytest.skip(f"{reason}; start it to run the PostgreSQL half of the database tests")
