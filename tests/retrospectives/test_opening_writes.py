"""An opening writes its people and its prompts in one statement each, and only once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, update

from storage.outbox import OutboxMessage
from storage.retro import RetroParticipant
from storage.schedule import RunStatus, ScheduledRun
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.rows import count

PEOPLE = [f"U{n}" for n in range(1, 41)]


@contextmanager
def statements(bot: Harness) -> Iterator[list[str]]:
    """Each statement sent to the database meanwhile (an executemany counts once per row)."""
    seen: list[str] = []

    def before(_c: Any, _cur: Any, sql: str, parameters: Any, _ctx: Any, many: bool) -> None:
        # A real executemany is one execution per row; a multi-row VALUES (flat parameters,
        # which SQLAlchemy also reports as "many") is one statement.
        each_row = many and parameters and isinstance(parameters[0], tuple | list | dict)
        seen.extend([" ".join(sql.split())] * (len(parameters) if each_row else 1))

    engine = bot.app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def inserts_into(seen: list[str], table: str) -> list[str]:
    return [sql for sql in seen if sql.startswith(f"INSERT INTO {table} ")]


async def test_a_team_of_forty_is_opened_in_one_insert_each(database_url: str) -> None:
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": PEOPLE}))
    try:
        await bot.say("/okr team create Checkout tz=Europe/Berlin")
        await bot.say("/retro start")
        with statements(bot) as seen:
            report = await bot.app.scheduler.catch_up()
        assert report.performed == 1
        # One statement for the 40 people (SQLAlchemy's multi-row insert), one for the 41
        # messages, on both databases.
        assert len(inserts_into(seen, "retro_participant")) == 1
        assert len(inserts_into(seen, "outbox_message")) == 1
        assert await count(bot, RetroParticipant) == 40
        assert await count(bot, OutboxMessage) == 41
    finally:
        await bot.close()


async def test_an_opening_performed_again_sends_nothing_twice(database_url: str) -> None:
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": PEOPLE[:8]}))
    try:
        await bot.say("/okr team create Checkout tz=Europe/Berlin")
        await bot.say("/retro start")
        await bot.tick()
        assert len(bot.port.sent) == 9

        # A replica that read the run before it was recorded performs it again.
        async with bot.sessions() as session, session.begin():
            await session.execute(update(ScheduledRun).values(status=RunStatus.PENDING))
        await bot.tick()
        assert len(bot.port.sent) == 9
        assert await count(bot, OutboxMessage) == 9
        assert await count(bot, RetroParticipant) == 8
    finally:
        await bot.close()
