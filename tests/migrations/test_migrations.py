"""Migrations are reviewed code: they agree with the models and run up, down and up again."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, String, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from storage.core import Workspace
from storage.schema import metadata
from storage.search import outside_models
from tests.support import databases
from tests.support.times import START

ROOT = Path(__file__).resolve().parents[2]
VERSION_TABLE = "alembic_version"
FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([a-z0-9]+(?:_[a-z0-9]+)*)\.py$")


def drift(connection: Connection, target: MetaData = metadata) -> list[Any]:
    """What autogenerate would write to bring the database to ``target`` (env.py's options)."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": outside_models}
    )
    return list(compare_metadata(context, target))


def table_names(connection: Connection) -> set[str]:
    names = inspect(connection).get_table_names()
    return {name for name in names if outside_models(name, "table", None)}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def sync(engine: AsyncEngine, work: Any, *args: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.run_sync(work, *args)


async def add_workspace(engine: AsyncEngine, external_id: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            Workspace.__table__.insert().values(
                platform="console", external_id=external_id, created_at=START
            )
        )


async def workspaces(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Workspace)) or 0)


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrations.config())


def test_revision_files_are_named_by_date_and_slug() -> None:
    files = sorted(p.name for p in (migrations.HERE / "versions").glob("*.py"))
    assert files, "no revision files found"
    for name in files:
        match = FILE_NAME.match(name)
        assert match, f"{name} is not named YYYY-MM-DD_slug.py"
        date.fromisoformat(match.group(1))  # a real calendar date


def test_revisions_form_one_line() -> None:
    revisions = list(script().walk_revisions())
    assert len(script().get_heads()) == 1
    assert [r for r in revisions if r.down_revision is None] == [revisions[-1]]


async def test_models_and_migrations_agree(blank_engine: AsyncEngine) -> None:
    await migrations.upgrade(blank_engine)
    assert await sync(blank_engine, drift) == []


async def test_comparison_sees_a_changed_column_type(blank_engine: AsyncEngine) -> None:
    """Guard the guard: a real type change shows up, timestamps (UTCDateTime) do not."""
    await migrations.upgrade(blank_engine)
    changed = MetaData()
    workspace = metadata.tables["workspace"].to_metadata(changed)
    workspace.c.platform.type = String(40)
    diffs = await sync(blank_engine, drift, changed)
    modified = [d[0] for d in diffs if isinstance(d, list)]
    assert [(m[0], m[2], m[3]) for m in modified] == [("modify_type", "workspace", "platform")]


async def test_downgrade_to_base_then_upgrade_round_trips(blank_engine: AsyncEngine) -> None:
    await migrations.upgrade(blank_engine)
    await add_workspace(blank_engine, "W1")

    await migrations.downgrade(blank_engine, "base")
    assert await sync(blank_engine, table_names) <= {VERSION_TABLE}
    assert await sync(blank_engine, current_revision) is None

    await migrations.upgrade(blank_engine)
    assert await sync(blank_engine, table_names) == set(metadata.tables) | {VERSION_TABLE}
    assert await sync(blank_engine, current_revision) == script().get_current_head()
    assert await workspaces(blank_engine) == 0
    assert await sync(blank_engine, drift) == []


async def test_every_revision_steps_up_and_down(blank_engine: AsyncEngine) -> None:
    revisions = [r.revision for r in reversed(list(script().walk_revisions()))]
    for revision in revisions:
        await migrations.upgrade(blank_engine, revision)
        assert await sync(blank_engine, current_revision) == revision
    for below in [*reversed(revisions[:-1]), None]:
        await migrations.downgrade(blank_engine, below or "base")
        assert await sync(blank_engine, current_revision) == below


async def test_upgrade_twice_is_a_no_op(blank_engine: AsyncEngine) -> None:
    await migrations.upgrade(blank_engine)
    await add_workspace(blank_engine, "W1")
    before = await sync(blank_engine, table_names)

    await migrations.upgrade(blank_engine)

    assert await sync(blank_engine, table_names) == before
    assert await sync(blank_engine, current_revision) == script().get_current_head()
    assert await workspaces(blank_engine) == 1


UPGRADE_IN_ANOTHER_PROCESS = """
import asyncio, sys
import migrations
from tests.support import databases

engine = databases.postgres_engine(schema=sys.argv[1])
sys.stdin.readline()  # start together: imports done, wait for the word
asyncio.run(migrations.upgrade(engine))
"""


async def test_concurrent_upgrades_on_postgresql_take_turns(blank_postgres_schema: str) -> None:
    """Two replicas starting at once: the advisory lock lets one migrate while the other waits."""
    replicas = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            UPGRADE_IN_ANOTHER_PROCESS,
            blank_postgres_schema,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    results = await asyncio.wait_for(
        asyncio.gather(*(replica.communicate(b"go\n") for replica in replicas)), timeout=60
    )
    for replica, (_, stderr) in zip(replicas, results, strict=True):
        assert replica.returncode == 0, stderr.decode()
    engine = databases.postgres_engine(schema=blank_postgres_schema)
    try:
        assert await sync(engine, current_revision) == script().get_current_head()
        assert await sync(engine, drift) == []
    finally:
        await engine.dispose()
