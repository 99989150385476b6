"""Alembic migrations, run from inside okrbot on an async engine."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).resolve().parent
# Any fixed number works: it only has to be the same for every replica of okrbot.
_MIGRATION_LOCK = 0x6F6B72626F74


def config() -> Config:
    """Alembic's configuration, pointing at this package; no alembic.ini needed."""
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
    """Bring the schema to ``revision``; replicas starting together take turns."""
    await _migrate(engine, "upgrade", revision)


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
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    cfg = config()
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)
