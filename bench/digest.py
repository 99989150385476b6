"""Composing one lead's weekly digest over a team with a long history, and its query plan.

The team has N learning stories this week and --old older ones (up to a year back); --others
other teams of the same workspace wrote stories this week too, so an index on the week alone
is not enough to find one team's stories. The plan of the stories-since query is printed as the
database reports it (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).

    python -m bench.digest [--database-url URL] [--n N] [--old M] [--others K] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console import CONSOLE
from bench.common import arguments, backends, fresh_database, label, machine, run, table
from bot.runtime import digest
from retrospectives.okrs.digest import teams_sections
from storage import okr
from storage.core import Team, TeamLead, Workspace
from storage.okr import LearningStory, StoryResult, StorySource
from tests.support.harness import START, Harness

OTHER_TEAMS = 10


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--old", type=int, default=5000, help="older stories of the team")
    parser.add_argument(
        "--others", type=int, default=2000, help="this week's stories of other teams"
    )
    parser.add_argument("--repeat", type=int, default=30, help="digests to compose")


def a_story(workspace_id: int, team_id: int, i: int, at: datetime) -> LearningStory:
    return LearningStory(
        workspace_id=workspace_id,
        team_id=team_id,
        author_id=f"U{i % 40}",
        text=f"we tried something ({i})",
        hypothesis=f"a shorter address form lifts completion ({i})",
        learned=f"it did not; buyers wanted trust signals, not fewer fields ({i})",
        result=StoryResult.INVALIDATED if i % 3 else StoryResult.VALIDATED,
        adaptation="test trust badges" if i % 10 == 0 else None,
        source=StorySource.COMMAND,
        awaiting_outcome=False,
        created_at=at,
    )


async def populate(bot: Harness, week: int, old: int, others: int) -> tuple[int, int]:
    """One lead's team with ``week`` new and ``old`` older stories; return (workspace, team)."""
    now = bot.clock.now()
    async with bot.app.sessions() as session, session.begin():
        workspace = Workspace(platform=CONSOLE, external_id="W1", created_at=now)
        session.add(workspace)
        await session.flush()
        teams = []
        for i in range(OTHER_TEAMS + 1):
            team = Team(
                workspace_id=workspace.id,
                name=f"Team {i}",
                name_key=f"team {i}",
                channel_id=f"C{i}",
                timezone="Europe/Berlin",
                created_by=f"L{i}",
                created_at=now - timedelta(days=400),
            )
            team.leads.append(TeamLead(user_id=f"L{i}", added_at=now, timezone="Europe/Berlin"))
            session.add(team)
            teams.append(team)
        await session.flush()
        mine = teams[0]
        rows = []
        for i in range(old):
            rows.append(a_story(workspace.id, mine.id, i, now - timedelta(days=8 + i % 357)))
        for i in range(week):
            rows.append(a_story(workspace.id, mine.id, i, now - timedelta(minutes=1 + i * 45)))
        for i in range(others):
            other = teams[1 + i % OTHER_TEAMS]
            rows.append(a_story(workspace.id, other.id, i, now - timedelta(minutes=1 + i * 3)))
        session.add_all(rows)
        return workspace.id, mine.id


def capture(engine: AsyncEngine, needle: str) -> list[tuple[str, Any]]:
    """Record the SQL and driver parameters of statements containing ``needle``."""
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if needle in statement:
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return seen


async def explain(bot: Harness, workspace_id: int, team_id: int) -> list[str]:
    engine = bot.app.engine
    seen = capture(engine, "FROM learning_story")
    async with bot.app.sessions() as session:
        found = await okr.learning_stories_since(
            session, workspace_id=workspace_id, team_id=team_id, since=START - digest.WEEK
        )
    statement, parameters = seen[-1]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql("ANALYZE learning_story")
        plan = await connection.exec_driver_sql(prefix + statement, parameters)
        lines = [" | ".join(str(c) for c in row) for row in plan]
    where = statement[statement.index("WHERE") :].split("ORDER BY")[0].strip()
    return [f"{len(found)} rows; {where}", *lines]


async def measure(
    backend: str, week: int, old: int, others: int, repeat: int
) -> tuple[list[list[str]], list[str]]:
    async with fresh_database(backend) as url:
        bot = await Harness.start(url)
        try:
            workspace_id, team_id = await populate(bot, week, old, others)
            now = bot.clock.now()
            whole, stories_only = [], []
            for _ in range(repeat):
                async with bot.app.sessions() as session:
                    begin = time.perf_counter()
                    reply = await digest.compose(
                        session, workspace_id=workspace_id, lead_id="L0", now=now
                    )
                    whole.append(time.perf_counter() - begin)
                assert reply is not None
                async with bot.app.sessions() as session:
                    team = await session.get(Team, team_id)
                    assert team is not None
                    begin = time.perf_counter()
                    await teams_sections(
                        session, workspace_id=workspace_id, teams=[team], since=now - digest.WEEK
                    )
                    stories_only.append(time.perf_counter() - begin)
            lines = sum(s.text.count("\n") + 1 for s in reply.sections)
            chars = sum(len(s.text) + len(s.title) for s in reply.sections)
            plan = await explain(bot, workspace_id, team_id)
        finally:
            await bot.close()
    name = label(backend)
    rows = [
        [
            f"{name}: digest.compose",
            f"{statistics.median(whole) * 1000:.1f}",
            f"{max(whole) * 1000:.1f}",
            f"{lines} lines, {chars:,} chars",
        ],
        [
            f"{name}:   of which teams_sections",
            f"{statistics.median(stories_only) * 1000:.1f}",
            f"{max(stories_only) * 1000:.1f}",
            "",
        ],
    ]
    return rows, [f"{name}:", *(f"  {line}" for line in plan)]


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=200, extra=more)
    rows: list[list[str]] = []
    plans: list[str] = []
    for backend in backends(args.database_url):
        found, plan = await measure(backend, args.n, args.old, args.others, args.repeat)
        rows += found
        plans += plan
    print(
        f"digest: one lead, {args.n} stories this week, {args.old} older, {args.others} of "
        f"{OTHER_TEAMS} other teams this week; {args.repeat} digests ({machine()})"
    )
    print(table(["", "median ms", "max ms", "digest size"], rows))
    print()
    print("query plan of learning_stories_since:")
    print("\n".join(plans))


if __name__ == "__main__":
    run(main)
