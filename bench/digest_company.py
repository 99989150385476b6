"""Monday's digests at company size: every lead's, over a year of a thousand teams' stories.

One workspace with --teams teams (two leads each: one of their own and one shared with the
neighbouring team), --stories learning stories spread evenly over the last year, and a tenth
as many impact stories, adaptations and shout-outs, a hundredth as many metric concerns.

- one lead's digest, --leads leads in turn, composed the previous way (the recognition summary
  of the workspace rebuilt for every lead) and this way (once per workspace and moment, as a
  Monday's scheduler pass does), alternated in one run;
- all leads' digests of a Monday: a run for every lead, due now, performed by the scheduler
  (compose, split into pages, enqueue) as `okrbot serve` does at 09:00;
- the plan of every statement one digest runs (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY
  PLAN on SQLite); a full scan of a table of more than BIG rows is printed and fails the run.

    python -m bench.digest_company [--database-url URL] [--teams T] [--stories S] [--leads L]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from typing import Any

from sqlalchemy import event, func, select, text

from bench import company
from bench.common import arguments, backends, fresh_database, label, machine, percentile, run
from bench.common import table as tabulate
from bot.runtime import digest
from storage import schedule
from storage.core import TeamLead
from storage.outbox import OutboxMessage
from tests.support.harness import Harness

NEW_INDEXES = ("ix_team_lead_user_id", "ix_shout_out_recipient_team_id", "ix_adaptation_team_id")
BIG = 10_000
"""A table with more rows than this is never read whole by a digest."""


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teams", type=int, default=1000, help="teams in the workspace")
    parser.add_argument("--stories", type=int, default=200_000, help="learning stories")
    parser.add_argument("--leads", type=int, default=200, help="leads timed one by one")
    parser.add_argument(
        "--postgresql-only", action="store_true", help="skip SQLite (with --database-url)"
    )
    parser.add_argument(
        "--without-indexes",
        action="store_true",
        help=f"drop the indexes revision 0013 added ({', '.join(NEW_INDEXES)}): the plans before",
    )


async def all_leads(bot: Harness, workspace_id: int) -> list[str]:
    async with bot.app.sessions() as session:
        found = await session.scalars(
            select(TeamLead.user_id).distinct().order_by(TeamLead.user_id)
        )
        return list(found)


async def one_by_one(
    bot: Harness, workspace_id: int, leads: list[str]
) -> tuple[list[float], list[float], int]:
    """Each lead's digest composed the previous way and this way, alternated."""
    now = bot.clock.now()
    shared = digest.Workspaces()
    previous: list[float] = []
    current: list[float] = []
    lines = 0
    for lead in leads:
        for kept, times in ((None, previous), (shared, current)):
            async with bot.app.sessions() as session:
                begin = time.perf_counter()
                reply = await digest.compose(
                    session, workspace_id=workspace_id, lead_id=lead, now=now, workspaces=kept
                )
                times.append(time.perf_counter() - begin)
            assert reply is not None
            lines = max(lines, sum(s.text.count("\n") + 1 for s in reply.sections))
    return previous, current, lines


async def monday(bot: Harness, workspace_id: int, leads: list[str]) -> tuple[float, int, int]:
    """Every lead's run due now, performed in one scheduler pass: (seconds, runs, messages)."""
    now = bot.clock.now()
    async with bot.app.sessions() as session, session.begin():
        for lead in leads:
            subject = digest.LeadsMonday(workspace_id, lead).key()
            await schedule.plan(
                session, workspace_id=workspace_id, job=digest.JOB, subject=subject,
                due_at=now, now=now,
            )  # fmt: skip
    begin = time.perf_counter()
    performed, _ = await bot.app.scheduler.perform_due(now)
    seconds = time.perf_counter() - begin
    async with bot.app.sessions() as session:
        messages = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return seconds, performed, int(messages or 0)


CHECKED = (
    "team",
    "team_lead",
    "learning_story",
    "impact_story",
    "adaptation",
    "shout_out",
    "shout_out_recipient",
    "metric_concern",
    "key_result",
)


async def statements(bot: Harness, workspace_id: int, lead: str) -> list[tuple[str, Any]]:
    """Every statement one lead's digest runs, with its parameters as the driver got them."""
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = bot.app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        async with bot.app.sessions() as session:
            await digest.compose(
                session, workspace_id=workspace_id, lead_id=lead, now=bot.clock.now()
            )
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


async def plans(bot: Harness, workspace_id: int, lead: str) -> tuple[list[str], list[str]]:
    """The plan of every statement of one digest; and the full scans of big tables in them."""
    engine = bot.app.engine
    seen = await statements(bot, workspace_id, lead)
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ANALYZE "
    scan = re.compile(r"^\s*SCAN (\w+)" if sqlite else r"Seq Scan on (\w+)")
    shown: list[str] = []
    full: list[str] = []
    async with engine.connect() as connection:
        sizes = {
            name: int(await connection.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
            for name in CHECKED
        }
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            found = await connection.exec_driver_sql(prefix + statement, parameters)
            lines = [" | ".join(str(c) for c in row) for row in found]
            head = " ".join(statement.split())[:110]
            shown.append(head)
            for line in lines:
                match = scan.search(line)
                if match and sizes.get(match[1], 0) > BIG:
                    full.append(f"{match[1]} ({sizes[match[1]]:,} rows): {head}")
                if sqlite or "Scan" in line or "Execution Time" in line:
                    shown.append(f"    {line.strip()}")
    return shown, full


def latency(name: str, seconds: list[float]) -> list[str]:
    ms = [s * 1000 for s in seconds]
    return [
        name,
        str(len(ms)),
        f"{statistics.median(ms):.1f}",
        f"{percentile(ms, 95):.1f}",
        f"{max(ms):.1f}",
    ]


async def measure(backend: str, args: argparse.Namespace) -> tuple[list[list[str]], list[str]]:
    async with fresh_database(backend) as url:
        bot = await Harness.start(url)
        try:
            begin = time.perf_counter()
            workspace_id = await company.populate(bot, args.teams, args.stories)
            filled = time.perf_counter() - begin
            if args.without_indexes:
                async with bot.app.engine.begin() as connection:
                    for index in NEW_INDEXES:
                        await connection.execute(text(f"DROP INDEX {index}"))
            leads = await all_leads(bot, workspace_id)
            step = max(1, len(leads) // args.leads)
            previous, current, lines = await one_by_one(bot, workspace_id, leads[::step])
            shown, full = await plans(bot, workspace_id, leads[0])
            seconds, performed, messages = await monday(bot, workspace_id, leads)
        finally:
            await bot.close()
    name = label(backend)
    rows = [
        latency(f"{name}: one lead, summary per lead (before)", previous),
        latency(f"{name}: one lead, summary once per pass", current),
        [
            f"{name}: all {performed:,} leads' Monday runs, one pass",
            str(performed),
            f"{seconds:,.1f} s in all",
            f"{seconds / max(performed, 1) * 1000:.1f} ms a lead",
            f"{messages:,} messages",
        ],
    ]
    notes = [
        f"{name}: {args.stories:,} stories, {args.teams:,} teams written in {filled:.1f} s; "
        f"digests up to {lines} lines",
        *shown,
        *(f"FULL SCAN of a big table: {line}" for line in full),
    ]
    return rows, notes


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=0, extra=more)
    rows: list[list[str]] = []
    notes: list[str] = []
    chosen = backends(args.database_url)
    if args.postgresql_only and args.database_url:
        chosen = [args.database_url]
    for backend in chosen:
        found, said = await measure(backend, args)
        rows += found
        notes += said
    print(
        f"digests: {args.teams:,} teams, {args.stories:,} learning stories over a year"
        f"{', without the indexes of 0013' if args.without_indexes else ''} ({machine()})"
    )
    print(tabulate(["", "n", "p50 ms", "p95 ms", "max ms"], rows))
    print()
    print("plans of one digest's statements:")
    print("\n".join(notes))
    if any(line.startswith("FULL SCAN") for line in notes):
        sys.exit("a digest reads a big table whole: see FULL SCAN above")


if __name__ == "__main__":
    run(main)
