"""Many teams opening at once: each person prompted once, the openings written a few teams a
statement, one team's trouble leaving the others alone, a dead replica's openings done once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from adapters.console import CONSOLE
from bot.entry.app import build
from bot.entry.settings import Settings
from retrospectives.cycles import jobs
from storage.outbox import OutboxMessage
from storage.schedule import RunStatus, ScheduledRun
from tests.support.fakes import FakeChatPort, FakeDirectory
from tests.support.harness import Harness
from tests.support.rows import count

TEAMS = 12
CHANNELS = {f"C{t}": [f"U{t}a", f"U{t}b", f"U{t}c"] for t in range(TEAMS)}
EVERYONE = sorted(f"@{person}" for people in CHANNELS.values() for person in people)


@dataclass
class OneChannelFails(FakeDirectory):
    """The platform fails to list one channel's members, and lists every other."""

    broken: str = ""

    async def channel_members(self, workspace_id: str, channel_id: str) -> list[str]:
        if channel_id == self.broken:
            raise RuntimeError("the platform failed to list the channel")
        return list(await super().channel_members(workspace_id, channel_id))


async def company(directory: FakeDirectory, database_url: str) -> Harness:
    """Twelve teams of three, each with a retrospective started and not yet opened."""
    bot = await Harness.start(database_url, directory=directory)
    for channel, people in CHANNELS.items():
        await bot.say(f"/okr team create Team{channel}", channel=channel, user=people[0])
        await bot.say("/retro start", channel=channel, user=people[0])
    return bot


def prompted(port: FakeChatPort) -> list[str]:
    return sorted(s.target for s in port.sent if s.target.startswith("@"))


@contextmanager
def writes(bot: Harness) -> Iterator[list[str]]:
    """Each INSERT and UPDATE sent to the database meanwhile."""
    seen: list[str] = []

    def before(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().startswith(("INSERT", "UPDATE")):
            seen.append(" ".join(sql.split()))

    engine = bot.app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


async def test_twelve_teams_open_in_a_few_statements_and_prompt_each_person_once(
    database_url: str,
) -> None:
    bot = await company(FakeDirectory(members=dict(CHANNELS)), database_url)
    try:
        with writes(bot) as seen:
            report = await bot.app.scheduler.catch_up()
        assert report.performed == TEAMS
        # The teams' messages and their runs taken and finished are written many teams a
        # statement, not one (or two) per team; each team's reminders and close in one.
        assert 0 < len([s for s in seen if s.startswith("INSERT INTO outbox_message")]) < TEAMS
        assert 0 < len([s for s in seen if s.startswith("UPDATE scheduled_run")]) < TEAMS
        assert len([s for s in seen if s.startswith("INSERT INTO scheduled_run")]) == TEAMS
        await bot.deliver()
        assert prompted(bot.port) == EVERYONE
        assert await count(bot, OutboxMessage) == TEAMS * 4
        assert await count(bot, ScheduledRun, ScheduledRun.job == jobs.CLOSE_JOB) == TEAMS
        assert await count(bot, ScheduledRun, ScheduledRun.job == jobs.REMIND_JOB) == TEAMS * 2
    finally:
        await bot.close()


async def test_a_team_whose_members_cannot_be_listed_does_not_stop_the_others(
    database_url: str,
) -> None:
    members = OneChannelFails(members=dict(CHANNELS), broken="C3")
    bot = await company(members, database_url)
    try:
        assert (await bot.app.catch_up()).performed == TEAMS - 1
        await bot.deliver()
        assert prompted(bot.port) == [p for p in EVERYONE if not p.startswith("@U3")]
        async with bot.sessions() as session:
            [waiting] = await session.scalars(
                select(ScheduledRun).where(
                    ScheduledRun.status == RunStatus.PENDING, ScheduledRun.job == jobs.START_JOB
                )
            )
        assert waiting.attempts == 1 and waiting.retry_at is not None

        members.broken = ""  # the platform answers again: the team opens at its retry
        bot.clock.set(waiting.retry_at)
        assert (await bot.app.catch_up()).performed == 1
        await bot.deliver()
        assert prompted(bot.port) == EVERYONE
    finally:
        await bot.close()


async def test_a_team_whose_opening_fails_does_not_stop_the_others(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await company(FakeDirectory(members=dict(CHANNELS)), database_url)
    opening = jobs.cycles.open_cycle

    async def fails_for_c5(session: Any, *, team: Any, **rest: Any) -> Any:
        if team.channel_id == "C5":
            raise RuntimeError("this team's opening failed")
        return await opening(session, team=team, **rest)

    monkeypatch.setattr(jobs.cycles, "open_cycle", fails_for_c5)
    try:
        assert (await bot.app.catch_up()).performed == TEAMS - 1
        await bot.deliver()
        assert prompted(bot.port) == [p for p in EVERYONE if not p.startswith("@U5")]
        monkeypatch.setattr(jobs.cycles, "open_cycle", opening)
        bot.clock.advance(timedelta(minutes=1))
        assert (await bot.app.catch_up()).performed == 1
        await bot.deliver()
        assert prompted(bot.port) == EVERYONE  # each person once, the failed team's too
    finally:
        await bot.close()


async def test_a_replica_that_dies_mid_opening_loses_nothing_and_doubles_nothing(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = FakeDirectory(members=dict(CHANNELS))
    bot = await company(directory, database_url)
    other = await build(
        Settings(database_url=database_url),
        clock=bot.clock,
        ports={CONSOLE: FakeChatPort()},
        directories={CONSOLE: directory},
        migrate=False,
    )
    opening = jobs.cycles.open_cycle
    dying = asyncio.Event()

    async def dies_at_c6(session: Any, *, team: Any, **rest: Any) -> Any:
        opened = await opening(session, team=team, **rest)
        if team.channel_id == "C6":  # some teams opened in this transaction, others not yet
            dying.set()
            await asyncio.Event().wait()  # the process is killed here
        return opened

    monkeypatch.setattr(jobs.cycles, "open_cycle", dies_at_c6)
    try:
        first = asyncio.ensure_future(bot.app.scheduler.catch_up())
        await asyncio.wait_for(dying.wait(), 30)
        first.cancel()  # nothing it had not committed stays
        await asyncio.gather(first, return_exceptions=True)
        monkeypatch.setattr(jobs.cycles, "open_cycle", opening)

        await other.catch_up()
        await other.outbox.deliver_due()
        await bot.deliver()
        sent = [*prompted(bot.port), *prompted(other.ports[CONSOLE])]
        assert sorted(sent) == EVERYONE  # every person prompted, exactly once
        assert await count(bot, OutboxMessage) == TEAMS * 4
    finally:
        await other.close()
        await bot.close()
