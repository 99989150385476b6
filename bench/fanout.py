"""A retrospective opened for a big channel, and the planner's tick when nothing is due.

Fan-out: one team whose channel has N members; a lead types /retro start, then the scheduler
performs the open run (a cycle, N participants, N + 1 outbox rows, in one transaction) and the
outbox worker delivers every prompt through FakeChatPort.

Planner: T teams with quarterly schedules and T leads (digests every Monday), ticked every
30 s at moments when nothing is due, as every replica does all day long.

    python -m bench.fanout [--database-url URL] [--n N] [--teams T] [--ticks K]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from sqlalchemy import func, select

from adapters.console import CONSOLE
from bench.common import arguments, backends, fresh_database, label, machine, run, table
from bot.runtime.scheduler import TICK_SECONDS
from storage.core import Team, TeamLead, Workspace
from storage.outbox import OutboxMessage
from storage.retro import RetroParticipant
from storage.schedule import ScheduledRun
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=None,
        help="channel sizes to open for (default: N and 2000)",
    )
    parser.add_argument("--teams", type=int, default=2000, help="teams for the planner tick")
    parser.add_argument("--ticks", type=int, default=5, help="idle ticks to time")


async def count(bot: Harness, model: type, *where: object) -> int:
    async with bot.app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def fan_out(backend: str, members: int) -> list[str]:
    people = [f"U{i:05d}" for i in range(members)]
    async with fresh_database(backend) as url:
        bot = await Harness.start(url, directory=FakeDirectory(members={"C1": people}))
        try:
            await bot.say("/okr team create Checkout tz=Europe/Berlin", user=people[0])
            await bot.tick()  # learn the lead's timezone, plan, so the next tick only opens
            assert "Opening a retrospective" in await bot.say("/retro start", user=people[0])
            now = bot.clock.now()
            begin = time.perf_counter()
            performed, _ = await bot.app.scheduler.perform_due(now)
            opened = time.perf_counter() - begin
            assert performed == 1
            assert await count(bot, RetroParticipant) == members
            rows = await count(bot, OutboxMessage)
            begin = time.perf_counter()
            delivered = await bot.deliver()
            sending = time.perf_counter() - begin
            assert delivered == rows == members + 1 == len(bot.port.sent)
        finally:
            await bot.close()
    return [
        f"{label(backend)}: {members} members",
        f"{rows}",
        f"{opened * 1000:,.0f}",
        f"{opened / rows * 1e6:,.0f}",
        f"{sending * 1000:,.0f}",
        f"{delivered / sending:,.0f}",
    ]


async def populate(bot: Harness, teams: int) -> None:
    """T teams in one workspace, each with a quarterly schedule and its own lead."""
    now = bot.clock.now()
    async with bot.app.sessions() as session, session.begin():
        workspace = Workspace(platform=CONSOLE, external_id="W1", created_at=now)
        session.add(workspace)
        await session.flush()
        for i in range(teams):
            zone = ZONES[i % len(ZONES)]
            team = Team(
                workspace_id=workspace.id,
                name=f"Team {i}",
                name_key=f"team {i}",
                channel_id=f"C{i:05d}",
                timezone=zone,
                created_by=f"L{i:05d}",
                created_at=now,
                retro_schedule="quarterly",
                retro_schedule_set_at=now,
            )
            team.leads.append(TeamLead(user_id=f"L{i:05d}", added_at=now, timezone=zone))
            session.add(team)


async def planner(backend: str, teams: int, ticks: int) -> list[list[str]]:
    async with fresh_database(backend) as url:
        bot = await Harness.start(url, directory=FakeDirectory())
        try:
            await populate(bot, teams)
            first = time.perf_counter()
            report = await bot.tick()  # the first tick plans the day before: nothing is due
            first = time.perf_counter() - first
            assert report.planned == 0, report
            whole, planning = [], []
            for _ in range(ticks):
                bot.clock.advance(timedelta(seconds=TICK_SECONDS))
                begin = time.perf_counter()
                report = await bot.tick()
                whole.append(time.perf_counter() - begin)
                assert (report.planned, report.performed, report.delivered) == (0, 0, 0)
            for _ in range(ticks):
                bot.clock.advance(timedelta(seconds=TICK_SECONDS))
                begin = time.perf_counter()
                await bot.app.scheduler.plan(bot.clock.now())
                planning.append(time.perf_counter() - begin)
            # Two idle ticks at the same instant: the planner has nothing new to look at.
            begin = time.perf_counter()
            await bot.tick()
            same = time.perf_counter() - begin
            assert await count(bot, ScheduledRun) == 0
            # After a week with no replica running, one tick plans every Monday digest missed.
            later = bot.clock.now() + timedelta(days=7)
            bot.clock.set(later)
            begin = time.perf_counter()
            missed = await bot.app.scheduler.plan(later)
            catch_up = time.perf_counter() - begin
        finally:
            await bot.close()
    name = f"{label(backend)}: {teams} teams"
    return [
        [name, "first tick", f"{first * 1000:,.0f}", "", ""],
        [
            name,
            "idle tick (30 s later)",
            f"{statistics.median(whole) * 1000:,.0f}",
            f"{max(whole) * 1000:,.0f}",
            f"{statistics.median(whole) / TICK_SECONDS * 100:.1f}%",
        ],
        [
            name,
            "  of which plan()",
            f"{statistics.median(planning) * 1000:,.0f}",
            f"{max(planning) * 1000:,.0f}",
            "",
        ],
        [name, "tick at the same instant", f"{same * 1000:,.0f}", "", ""],
        [name, f"plan() after 7 days down ({missed} runs)", f"{catch_up * 1000:,.0f}", "", ""],
    ]


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=500, extra=more)
    sizes = args.sizes if args.sizes is not None else sorted({args.n, 2000})
    fan_rows: list[list[str]] = []
    tick_rows: list[list[str]] = []
    for backend in backends(args.database_url):
        for size in sizes:
            fan_rows.append(await fan_out(backend, size))
        tick_rows += await planner(backend, args.teams, args.ticks)
    print(f"fan-out: /retro start in a channel of N members ({machine()})")
    print(
        table(
            ["", "outbox rows", "open run ms", "µs per row", "deliver ms", "messages per s"],
            fan_rows,
        )
    )
    print()
    print(f"planner: scheduler tick with nothing due, {args.ticks} ticks 30 s apart")
    print(table(["", "", "median ms", "max ms", "of 30 s"], tick_rows))


if __name__ == "__main__":
    run(main)
