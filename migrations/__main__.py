"""Draft a revision from the models: ``python -m migrations "add retro cycles"``.

The draft is Alembic's autogenerate output against a fresh SQLite database at head; read it,
fix what autogenerate cannot see (renames, data moves, server defaults), then commit it.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

import migrations
from storage.engine import create_engine


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()


def next_revision_id(script: ScriptDirectory) -> str:
    """Number revisions 0001, 0002, ... so that their order reads at a glance."""
    head = script.get_current_head()
    return f"{int(head) + 1:04d}" if head and head.isdigit() else "0001"


def main(argv: list[str]) -> int:
    message = " ".join(argv).strip()
    if not message:
        print('usage: python -m migrations "what this revision changes"', file=sys.stderr)
        return 2
    cfg = migrations.config()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'draft.db'}"
        asyncio.run(_migrate(url))
        cfg.set_main_option("sqlalchemy.url", url)
        command.revision(
            cfg,
            message=message,
            autogenerate=True,
            rev_id=next_revision_id(ScriptDirectory.from_config(cfg)),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
