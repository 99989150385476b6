"""Monday's digests at company size: every lead's, over a year of a thousand teams' stories.

One workspace with --teams teams (two leads each: one of their own and one shared with the
neighbouring team), --stories learning stories spread evenly over the last year, and a tenth
as many impact stories, adaptations and shout-outs, a hundredth as many metric concerns.

- one lead's digest, --leads leads in turn, composed alone (``digest.compose``, the recognition
  summary read once per pass); and every lead's composed a hundred at a time
  (``digest.compose_many``), the time of each hundred divided among its leads;
- all leads' digests of a Monday: a run for every lead, due now, performed by the scheduler
  (compose, split into pages, enqueue) as `okrbot serve` does at 09:00, a hundred leads a
  transaction and one lead a transaction (the way before) alternated: new, old, new;
  statements counted per lead; --profile profiles the last pass with cProfile;
- the plan of every statement one digest and a hundred digests run (EXPLAIN ANALYZE on
  PostgreSQL, EXPLAIN QUERY PLAN on SQLite); a full scan of a table of more than BIG rows by
  one lead's digest is printed and fails the run; one by a hundred leads' is printed (a read
  per hundred leads: the planner may well prefer it to a hundred index probes).

    python -m bench.digest_company [--database-url URL] [--teams T] [--stories S] [--leads L]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from typing import Any

from sqlalchemy import event, select, text

from bench import company, digest_pass
from bench.common import arguments, backends, fresh_database, label, machine, percentile, run
from bench.common import table as tabulate
from bot.runtime import digest
from bot.runtime.together import TOGETHER
from storage.core import TeamLead
from tests.support.harness import Harness
from tests.support.statements import Counted

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
    parser.add_argument("--profile", action="store_true", help="cProfile the last Monday pass")
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
) -> tuple[list[float], float, int]:
    """Each lead's digest composed alone: times, statements per lead, longest digest's lines."""
    now = bot.clock.now()
    shared = digest.Workspaces()
    times: list[float] = []
    lines = 0
    with Counted(bot.app.engine) as counted:
        for lead in leads:
            async with bot.app.sessions() as session:
                begin = time.perf_counter()
                reply = await digest.compose(
                    session, workspace_id=workspace_id, lead_id=lead, now=now, workspaces=shared
                )
                times.append(time.perf_counter() - begin)
            assert reply is not None
            lines = max(lines, sum(s.text.count("\n") + 1 for s in reply.sections))
    return times, counted.n / max(len(leads), 1), lines


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


async def statements(bot: Harness, workspace_id: int, leads: list[str]) -> list[tuple[str, Any]]:
    """Every statement the digests of ``leads`` run (one alone, or composed together), with
    its parameters as the driver got them."""
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = bot.app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        async with bot.app.sessions() as session:
            if len(leads) == 1:
                await digest.compose(
                    session, workspace_id=workspace_id, lead_id=leads[0], now=bot.clock.now()
                )
            else:
                await digest.compose_many(
                    session, workspace_id=workspace_id, lead_ids=leads, now=bot.clock.now()
                )
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


async def plans(bot: Harness, workspace_id: int, leads: list[str]) -> tuple[list[str], list[str]]:
    """The plan of every statement of the digests of ``leads``; and the full scans in them."""
    engine = bot.app.engine
    seen = await statements(bot, workspace_id, leads)
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
    profile: list[str] | None = [] if args.profile else None
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
            alone, alone_statements, lines = await one_by_one(bot, workspace_id, leads[::step])
            together, together_statements = await digest_pass.composed_together(
                bot, workspace_id, leads, TOGETHER
            )
            shown, full = await plans(bot, workspace_id, leads[:1])
            shown_many, full_many = await plans(bot, workspace_id, leads[-TOGETHER:])
            passes = [
                await digest_pass.monday(
                    bot,
                    workspace_id,
                    leads,
                    together=each,
                    number=number,
                    profile=profile if number == 3 else None,
                )
                for number, each in enumerate((TOGETHER, 1, TOGETHER), 1)
            ]
        finally:
            await bot.close()
    name = label(backend)
    rows = [
        latency(f"{name}: one lead alone ({alone_statements:.1f} statements a lead)", alone),
        latency(
            f"{name}: one lead of {TOGETHER} composed together "
            f"({together_statements:.2f} statements a lead)",
            together,
        ),
        *(
            [
                f"{name}: all {p.performed:,} leads' Monday runs, {p.together} a transaction",
                str(p.performed),
                f"{p.seconds:,.1f} s in all",
                f"{p.per_lead_ms:.1f} ms a lead",
                f"{p.statements_per_lead:.2f} statements a lead, {p.messages:,} messages",
            ]
            for p in passes
        ),
    ]
    notes = [
        f"{name}: {args.stories:,} stories, {args.teams:,} teams written in {filled:.1f} s; "
        f"digests up to {lines} lines",
        "one lead alone:",
        *shown,
        f"{TOGETHER} leads together:",
        *shown_many,
        *(f"FULL SCAN of a big table: {line}" for line in full),
        *(f"seq scan of a big table for {TOGETHER} leads: {line}" for line in full_many),
        *(profile or []),
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
    print("plans of the digests' statements:")
    print("\n".join(notes))
    if any(line.startswith("FULL SCAN") for line in notes):
        sys.exit("a digest reads a big table whole: see FULL SCAN above")


if __name__ == "__main__":
    run(main)
