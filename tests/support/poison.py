"""An event no retry can cure, for the inbox's dead letters; and okrbot run as an operator does."""

from __future__ import annotations

import asyncio
import os
import sys

from sqlalchemy import text

from tests.support.rows import Stored


async def make_poison(rig: Stored) -> None:
    """The database refuses any story with the word 'poison': an event no retry can cure."""
    async with rig.sessions() as session, session.begin():
        if session.get_bind().dialect.name == "sqlite":
            await session.execute(
                text(
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON learning_story "
                    "WHEN NEW.text LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
            return
        await session.execute(
            text(
                "CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN "
                "IF NEW.text LIKE '%poison%' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        await session.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON learning_story "
                "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )
        )


async def cure(rig: Stored) -> None:
    """Drop the trigger of :func:`make_poison`: PostgreSQL's schema outlives the test."""
    async with rig.sessions() as session, session.begin():
        if session.get_bind().dialect.name == "sqlite":
            await session.execute(text("DROP TRIGGER IF EXISTS refuse_poison"))
        else:
            await session.execute(text("DROP TRIGGER IF EXISTS refuse_poison ON learning_story"))
            await session.execute(text("DROP FUNCTION IF EXISTS refuse_poison()"))


async def okrbot(database_url: str, *arguments: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *arguments,
        env={**os.environ, "OKRBOT_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()
