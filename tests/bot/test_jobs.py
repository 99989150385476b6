"""Each domain's jobs: typed subjects that keep their stored keys, planners, and the opening
asking the platform while no database transaction is open."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.runtime import digest
from retrospectives.cycles import jobs
from retrospectives.cycles.subjects import Closing, Reminder, ScheduledOpening, StartedOpening
from tests.support.fakes import FakeDirectory
from tests.support.harness import START, Harness


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("read", "key", "subject"),
    [
        (ScheduledOpening.read, "team:3", ScheduledOpening(3)),
        (StartedOpening.read, "team:3:by:U1", StartedOpening(3, "U1")),
        # Teams user ids hold a colon; the whole id is the lead's.
        (StartedOpening.read, "team:3:by:29:1a-b", StartedOpening(3, "29:1a-b")),
        # After erasure the opening still happens, as if scheduled, under its unique key.
        (StartedOpening.read, "team:3:erased-0a1b2c", StartedOpening(3, None, "erased-0a1b2c")),
        (Reminder.read, "cycle:7:2", Reminder(7, 2)),
        (Closing.read, "cycle:7", Closing(7)),
        (digest.LeadsMonday.read, "4:U1", digest.LeadsMonday(4, "U1")),
        (digest.LeadsMonday.read, "4:29:1a-b", digest.LeadsMonday(4, "29:1a-b")),
    ],
)
def test_a_subject_reads_its_stored_key_and_writes_it_back(read, key, subject) -> None:
    assert read(key) == subject
    assert subject.key() == key


@pytest.mark.parametrize(
    ("read", "key"),
    [
        (ScheduledOpening.read, "team:x"),
        (ScheduledOpening.read, "team:3:by:U1"),
        (Reminder.read, "cycle:7"),
        (Closing.read, "cycle:7:2"),
        (digest.LeadsMonday.read, "U1"),
    ],
)
def test_a_key_of_another_shape_is_not_read(read, key) -> None:
    assert read(key) is None


def test_each_job_is_declared_once_with_its_policy() -> None:
    declared = {spec.name: spec for spec in [*jobs.specs(), digest.spec()]}
    assert sorted(declared) == [
        "digest.weekly",
        "retro.close",
        "retro.open",
        "retro.remind",
        "retro.start",
    ]
    assert [name for name, spec in declared.items() if spec.always_run] == ["retro.close"]
    assert sorted(name for name, spec in declared.items() if spec.plan) == [
        "digest.weekly",
        "retro.open",
    ]
    assert sorted(name for name, spec in declared.items() if spec.prepare) == [
        "retro.open",
        "retro.start",
    ]


async def test_the_openings_planner_finds_each_scheduled_opening_in_its_window(bot) -> None:
    await bot.say("/okr team create Growth tz=Europe/Berlin")
    await bot.say("/retro schedule 0 10 * * mon")  # Mondays, 10:00 Berlin time
    [opening] = [s for s in jobs.specs() if s.name == jobs.OPEN_JOB]
    async with bot.app.sessions() as session:
        week = await opening.plan(session, START, START + timedelta(days=7))
        nothing = await opening.plan(session, START, START + timedelta(hours=2))
    [planned] = week
    assert planned.due_at == utc(2027, 1, 11, 9, 0)
    assert planned.subject.key() == "team:1"
    assert nothing == []


async def test_the_digest_planner_finds_each_leads_monday_once(bot) -> None:
    await bot.say("/okr team create Growth tz=Asia/Tokyo")
    await bot.say("/okr team create Search tz=Asia/Tokyo", channel="C2")
    spec = digest.spec()
    async with bot.app.sessions() as session:
        planned = await spec.plan(session, START, START + timedelta(days=7))
    # One lead of two teams: one digest, Monday 11 January 09:00 in Tokyo.
    assert [(p.subject.lead_id, p.due_at) for p in planned] == [("U1", utc(2027, 1, 11, 0, 0))]


@dataclass
class WatchfulDirectory(FakeDirectory):
    """A directory that, when asked for members, checks that no database write is held."""

    database_url: str = ""
    held: list[str] = field(default_factory=list)

    async def channel_members(self, workspace_id, channel_id):
        self.held.append(await writes_held(self.database_url))
        return await super().channel_members(workspace_id, channel_id)


async def writes_held(database_url: str) -> str:
    """ "" when another connection can write now; else what holds it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database or "", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # the write lock, at once or not at all
            other.rollback()
        except sqlite3.OperationalError as locked:
            return str(locked)
        finally:
            other.close()
        return ""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            busy = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                )
            )
    finally:
        await engine.dispose()
    return f"{busy} transaction(s) open" if busy else ""


async def test_an_opening_asks_the_platform_while_no_transaction_is_open(database_url) -> None:
    directory = WatchfulDirectory(members={"C1": ["U1", "U2"]}, database_url=database_url)
    bot = await Harness.start(database_url, directory=directory)
    await bot.say("/okr team create Checkout")
    await bot.say("/retro start")
    report = await bot.tick()
    assert report.performed == 1
    assert directory.held == [""]
    assert len(bot.port.to("C1")) == 1  # the opening, announced in the channel
    await bot.close()
