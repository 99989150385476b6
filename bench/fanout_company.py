"""A quarterly opening at company size, through Slack's real client against a paced fake.

--teams teams of --people people each (one of them the lead) have their quarterly opening due
at the same moment (the fire time). okrbot runs as `okrbot serve` runs it: the loop that
performs due runs is woken at the fire time, the outbox loop sends, Slack's port keeps one
message a second per conversation, and the fake Slack Web API answers 429 (Retry-After: 1) to
any post that comes sooner than that into one conversation, as Slack does. Each opening asks
Slack for the channel's members (`conversations.members`, `users.info` for people not seen
before), then posts the announcement in the channel and a prompt to each person (their
conversation opened once with `conversations.open`).

Both ways in one run, each on a fresh database and a fresh fake: before, the outbox loop was
woken once the whole pass of openings was over (or by its one-second interval); now, each
opening that commits wakes it.

    python -m bench.fanout_company [--database-url URL] [--teams T] [--people P]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import timedelta
from typing import Any

from adapters.slack.settings import SLACK
from bench.common import arguments, backends, fresh_database, label, machine, run, table
from bot.entry.app import Okrbot, build
from bot.runtime.loops import Loop
from retrospectives.cycles.jobs import OPEN_JOB
from retrospectives.cycles.subjects import ScheduledOpening
from storage import schedule
from storage.core import Team, TeamLead, Workspace
from tests.adapters.slack.fake_slack import FakeSlack
from tests.support.bulk import insert_rows
from tests.support.settings import configured

INTERVAL = 1.0  # the loops' interval in `okrbot serve`
PACE = 1.0  # Slack: about one message a second per conversation


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teams", type=int, default=200, help="teams opening at once")
    parser.add_argument("--people", type=int, default=8, help="people in each team's channel")


async def populate(okrbot: Okrbot, fake: FakeSlack, teams: int, people: int) -> None:
    """The teams and their channels, and each team's opening due now."""
    now = okrbot.clock.now()
    long_ago = now - timedelta(days=400)
    async with okrbot.engine.begin() as connection:
        [workspace] = await insert_rows(
            connection,
            Workspace,
            iter([{"platform": SLACK, "external_id": "T1", "created_at": now}]),
        )
        team_ids = await insert_rows(
            connection,
            Team,
            (
                {
                    "workspace_id": workspace,
                    "name": f"Team {i}",
                    "name_key": f"team {i}",
                    "channel_id": f"C{i:05d}",
                    "timezone": "Europe/Berlin",
                    "created_by": f"U{i:04d}0",
                    "created_at": long_ago,
                    "retro_schedule": "quarterly",
                    "retro_schedule_set_at": long_ago,
                }
                for i in range(teams)
            ),
        )
        await insert_rows(
            connection,
            TeamLead,
            (
                {"team_id": t, "user_id": f"U{i:04d}0", "added_at": long_ago, "timezone": ""}
                for i, t in enumerate(team_ids)
            ),
            returning=False,
        )
    for i in range(teams):
        fake.members[f"C{i:05d}"] = [f"U{i:04d}{j}" for j in range(people)]
    async with okrbot.sessions() as session, session.begin():
        for team_id in team_ids:
            await schedule.plan(
                session,
                workspace_id=workspace,
                job=OPEN_JOB,
                subject=ScheduledOpening(team_id).key(),
                due_at=now,
                now=now,
            )


def loops(okrbot: Okrbot, *, per_run: bool) -> tuple[Loop, Loop]:
    """Now: okrbot's own loops. Before: the outbox woken only after the whole pass."""
    if per_run:
        return okrbot.loops(interval=INTERVAL)

    async def deliver() -> None:
        await okrbot.outbox.deliver_due()

    outbox = Loop("outbox loop", deliver, INTERVAL)

    async def perform() -> None:
        await okrbot.scheduler.catch_up()
        outbox.wake()

    return outbox, Loop("loop that performs due runs", perform, INTERVAL)


async def opening(backend: str, teams: int, people: int, *, per_run: bool) -> list[str]:
    expected = teams * (people + 1)
    arrivals: list[tuple[float, str, str]] = []  # (seconds after the fire time, method, channel)
    fire = time.monotonic()

    async def note(method: str, arguments: dict[str, Any]) -> None:
        arrivals.append((time.monotonic() - fire, method, str(arguments.get("channel", ""))))

    fake = await FakeSlack(page_size=100, pacing=PACE, hold=note).start()
    async with fresh_database(backend) as url:
        settings = configured(url, slack_bot_token="xoxb-bench", slack_api_url=fake.api_url)
        okrbot = await build(settings, migrate=False)
        connection = okrbot.connect(pacing={SLACK: PACE})
        assert SLACK in connection.connected
        tasks: list[asyncio.Task[None]] = []
        try:
            await populate(okrbot, fake, teams, people)
            outbox, performing = loops(okrbot, per_run=per_run)
            fire = time.monotonic()
            tasks = [asyncio.ensure_future(outbox.run()), asyncio.ensure_future(performing.run())]
            for _ in range(int(300 / 0.05)):
                if len(fake.to("chat.postMessage")) >= expected:
                    break
                await asyncio.sleep(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await connection.close()
            await okrbot.close()
            await fake.close()
    posts = [at for at, method, _ in arrivals if method == "chat.postMessage"]
    listed = [at for at, method, _ in arrivals if method == "conversations.members"]
    delivered = len(fake.to("chat.postMessage"))
    assert delivered == expected, f"{delivered} of {expected} messages arrived"
    last_open = max(listed)
    return [
        f"{label(backend)}: {'each opening wakes the outbox' if per_run else 'before'}",
        f"{delivered:,}",
        f"{min(posts):.2f}",
        f"{statistics.median(posts):.2f}",
        f"{max(posts):.2f}",
        f"{last_open:.2f}",
        f"{sum(1 for at in posts if at < last_open):,}",
        str(fake.too_fast),
        str(len(fake.to("conversations.open"))),
        str(len(fake.to("users.info"))),
    ]


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=0, extra=more)
    rows = []
    for backend in backends(args.database_url):
        for per_run in (False, True):
            rows.append(await opening(backend, args.teams, args.people, per_run=per_run))
    print(
        f"quarterly opening: {args.teams} teams x {args.people} people, Slack paced at one "
        f"message a second per conversation ({machine()})"
    )
    header = [
        "",
        "messages",
        "first s",
        "median s",
        "last s",
        "last team listed s",
        "sent before it",
        "429 for pace",
        "conversations.open",
        "users.info",
    ]
    print(table(header, rows))
    print("(seconds after the fire time, as the fake Slack Web API received them)")


if __name__ == "__main__":
    run(main)
