"""A quarterly opening at company size, through Slack's real client against a paced fake.

--teams teams of --people people each (one of them the lead) have their quarterly opening due
at the same moment (the fire time). okrbot runs as `okrbot serve` runs it: the loop that
performs due runs is woken at the fire time, the outbox loop sends (woken by each opening that
commits), Slack's port keeps one message a second per conversation, and the fake Slack Web API
answers 429 (Retry-After: 1) to any post that comes sooner than that into one conversation, as
Slack does. Each opening asks Slack for the channel's members (`conversations.members`); the
workspace's people are learnt with `users.list` (a few pages), then the announcement goes to
the channel and a prompt to each person (their conversation opened once with
`conversations.open`, and its id kept in the database).

Two openings on one database, each by a freshly started okrbot and a fresh fake: the first
quarter (nothing known yet), then the next quarter after a restart (last quarter's
retrospectives closed; the people's conversations known from the database, the people listed
again by the new process).

    python -m bench.fanout_company [--database-url URL] [--teams T] [--people P]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from adapters.slack.settings import SLACK
from bench import company
from bench.common import arguments, backends, fresh_database, label, machine, run, table
from bot.entry.app import Okrbot, build
from retrospectives.cycles.jobs import OPEN_JOB
from retrospectives.cycles.subjects import ScheduledOpening
from storage import schedule
from storage.core import TeamLead
from storage.retro import CycleStatus, RetroCycle
from tests.adapters.slack.fake_slack import FakeSlack
from tests.support.bulk import insert_rows
from tests.support.settings import configured

INTERVAL = 1.0  # the loops' interval in `okrbot serve`
PACE = 1.0  # Slack: about one message a second per conversation


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teams", type=int, default=200, help="teams opening at once")
    parser.add_argument("--people", type=int, default=8, help="people in each team's channel")


async def populate(okrbot: Okrbot, teams: int) -> tuple[int, list[int]]:
    """The workspace and its teams (and leads); their ids."""
    now = okrbot.clock.now()
    long_ago = now - timedelta(days=400)
    async with okrbot.engine.begin() as connection:
        workspace, team_ids = await company.workspace_and_teams(
            connection,
            platform=SLACK,
            external_id="T1",
            now=now,
            teams=teams,
            founder=lambda i: f"U{i:04d}0",
            since=long_ago,
            retro_schedule="quarterly",
            retro_schedule_set_at=long_ago,
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
    return workspace, team_ids


async def due_now(okrbot: Okrbot, workspace: int, team_ids: list[int]) -> None:
    """Last quarter's retrospectives closed, and each team's opening due now."""
    now = okrbot.clock.now()
    async with okrbot.sessions() as session, session.begin():
        await session.execute(update(RetroCycle).values(status=CycleStatus.CLOSED))
        for team_id in team_ids:
            await schedule.plan(
                session,
                workspace_id=workspace,
                job=OPEN_JOB,
                subject=ScheduledOpening(team_id).key(),
                due_at=now,
                now=now,
            )


async def opening(
    url: str, teams: int, people: int, made: tuple[int, list[int]] | None
) -> tuple[list[str], tuple[int, list[int]]]:
    """One quarter's opening by a freshly started okrbot; the row, and the workspace's teams."""
    expected = teams * (people + 1)
    arrivals: list[tuple[float, str]] = []  # (seconds after the fire time, method)
    fire = time.monotonic()

    async def note(method: str, arguments: dict[str, Any]) -> None:
        arrivals.append((time.monotonic() - fire, method))

    fake = await FakeSlack(page_size=100, pacing=PACE, hold=note).start()
    for i in range(teams):
        fake.members[f"C{i:05d}"] = [f"U{i:04d}{j}" for j in range(people)]
    settings = configured(url, slack_bot_token="xoxb-bench", slack_api_url=fake.api_url)
    okrbot = await build(settings, migrate=False)
    connection = okrbot.connect(pacing={SLACK: PACE})
    tasks: list[asyncio.Task[None]] = []
    restarted = made is not None
    outbox, performing = okrbot.loops(interval=INTERVAL)
    try:
        made = made or await populate(okrbot, teams)
        await due_now(okrbot, *made)
        fire = time.monotonic()
        tasks = [asyncio.ensure_future(outbox.run()), asyncio.ensure_future(performing.run())]
        for _ in range(int(300 / 0.05)):
            if len(fake.to("chat.postMessage")) >= expected:
                break
            await asyncio.sleep(0.05)
    finally:
        # Stopped after the step under way, so every send is recorded before the restart.
        outbox.stop()
        performing.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await connection.close()
        await okrbot.close()
        await fake.close()
    posts = [at for at, method in arrivals if method == "chat.postMessage"]
    listed = [at for at, method in arrivals if method == "conversations.members"]
    delivered = len(fake.to("chat.postMessage"))
    assert delivered == expected, f"{delivered} of {expected} messages arrived"
    return [
        f"{label(url)}: {'next quarter, restarted' if restarted else 'first quarter'}",
        f"{delivered:,}",
        f"{min(posts):.2f}",
        f"{statistics.median(posts):.2f}",
        f"{max(posts):.2f}",
        f"{max(listed):.2f}",
        str(fake.too_fast),
        str(len(fake.to("users.list"))),
        str(len(fake.to("users.info"))),
        str(len(fake.to("conversations.open"))),
    ], made


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=0, extra=more)
    rows = []
    for backend in backends(args.database_url):
        async with fresh_database(backend) as url:
            first, made = await opening(url, args.teams, args.people, None)
            rows.append(first)
            rows.append((await opening(url, args.teams, args.people, made))[0])
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
        "429 for pace",
        "users.list",
        "users.info",
        "conversations.open",
    ]
    print(table(header, rows))
    print("(seconds after the fire time, as the fake Slack Web API received them)")


if __name__ == "__main__":
    run(main)
