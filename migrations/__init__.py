"""Alembic migrations, run from inside okrbot on an async engine."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
_REVISION = re.compile(r'^revision(?:: str)? = "(\w+)"$', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?:: [\w |]+)? = (?:None|"(\w+)")$', re.MULTILINE)
# Any fixed number works: it only has to be the same for every replica of okrbot.
_MIGRATION_LOCK = 0x6F6B72626F74


def config() -> Config:
    """Alembic's configuration, pointing at this package; no alembic.ini needed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    # A drafted revision comes out formatted and import-sorted, ready to review.
    hooks = {"ruff_fix": "check --fix --select I,F401", "ruff_format": "format"}
    cfg.set_section_option("post_write_hooks", "hooks", ", ".join(hooks))
    for name, options in hooks.items():
        cfg.set_section_option("post_write_hooks", f"{name}.type", "exec")
        cfg.set_section_option("post_write_hooks", f"{name}.executable", sys.executable)
        cfg.set_section_option(
            "post_write_hooks", f"{name}.options", f"-m ruff {options} REVISION_SCRIPT_FILENAME"
        )
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; replicas starting together take turns.

    A database already at the newest revision is told by one query, without loading Alembic
    (a fifth of the time okrbot takes to start).
    """
    if revision == "head" and await _at_head(engine):
        return
    await _migrate(engine, "upgrade", revision)


def newest() -> str | None:
    """The one head revision of the scripts here, read from their text; None when unclear."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (HERE / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(found) != 1 or len(down) != 1:
            return None  # a merge or an unusual script: Alembic will tell
        revisions.add(found[0])
        parents.update(d for d in down if d)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def _at_head(engine: AsyncEngine) -> bool:
    head = newest()
    if head is None:
        return False
    try:
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in found] == [head]
    except DBAPIError:  # no alembic_version table: a new database
        return False


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _migrate(engine, "downgrade", revision)


async def _migrate(engine: AsyncEngine, action: str, revision: str) -> None:
    """Run Alembic in one transaction; on SQLite with foreign keys off while it runs.

    SQLite changes a table by copying it to a new one and dropping the old; with foreign keys
    enforced, that drop would cascade to every row that refers to the table (a team's key
    results, stories, retrospectives...). The pragma only takes effect outside a transaction.
    """
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                await connection.run_sync(_run, action, revision)
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


def _run(connection: Connection, action: str, revision: str) -> None:
    from alembic import command

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    cfg = config()
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)
