"""Real databases for tests: a migrated SQLite file per test, and PostgreSQL when reachable."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from storage.engine import create_engine
from storage.schema import metadata

GIVEN_URL = os.environ.get(
    "OKRBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# Replaced, where PostgreSQL lets us, by a database made for this test run alone, so that two
# runs on one machine never truncate each other's tables.
POSTGRES_URL = GIVEN_URL
_private: list[str] = []
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
    engine = create_engine(GIVEN_URL, pool_pre_ping=False)
    shown = make_url(GIVEN_URL).render_as_string(hide_password=True)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means "not here"
        return f"PostgreSQL is not reachable at {shown} ({type(error).__name__})"
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


async def _create_private_database() -> str | None:
    name = f"okrbot_test_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(GIVEN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # no right to create databases: share the given one instead
        return None
    finally:
        await engine.dispose()
    return name


def use_private_database() -> None:
    """Move this run (and the processes it starts) to a database of its own, once."""
    global POSTGRES_URL
    if _private or os.environ.get("OKRBOT_TEST_PRIVATE_DATABASE") == "done":
        return
    name = run_blocking(_create_private_database())
    if name is None:
        return
    _private.append(name)
    POSTGRES_URL = make_url(GIVEN_URL).set(database=name).render_as_string(hide_password=False)
    os.environ["OKRBOT_TEST_POSTGRES_URL"] = POSTGRES_URL
    os.environ["OKRBOT_TEST_PRIVATE_DATABASE"] = "done"


async def _drop_database(name: str) -> None:
    engine = create_engine(GIVEN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def drop_private_database() -> None:
    while _private:
        run_blocking(_drop_database(_private.pop()))


def postgres_or_skip() -> None:
    reason = run_blocking(_postgres_reason())
    if reason is None:
        use_private_database()
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"{reason}, and OKRBOT_REQUIRE_POSTGRES=1 says it must run here")
    pytest.skip(f"{reason}; start it to run the PostgreSQL half of the database tests")
