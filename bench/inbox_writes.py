"""The inbox writer's transaction: CPU per group of rows, the driver's SQL against a Core INSERT.

One transaction of ``--group`` rows at a time, ``--n`` transactions, on a fresh database; the
two ways alternate for ``--rounds`` rounds in one run: ``storage.inbox.add_all`` (SQL compiled
once per dialect, one tuple per row, the driver's executemany), and the Core statement of dicts
it replaced (``INSERT ... ON CONFLICT DO NOTHING`` built by SQLAlchemy per transaction). Prints
the process's CPU time (every thread: aiosqlite's too) per transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from itertools import count

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import arguments, backends, fresh_database, label, machine, run, table
from bot.events import Inbound
from storage import base, inbox
from storage.engine import create_engine

BODY = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "text": "x" * 400}})
_numbers = count()

Write = Callable[[AsyncEngine, list[Inbound]], Awaitable[None]]


def group(size: int) -> list[Inbound]:
    now = datetime.now(UTC)
    return [Inbound("slack", "T1", f"Ev{next(_numbers)}", "C1", BODY, now) for _ in range(size)]


async def driver_sql(engine: AsyncEngine, events: list[Inbound]) -> None:
    async with engine.begin() as connection:
        await inbox.add_all(connection, events)


async def core_statement(engine: AsyncEngine, events: list[Inbound]) -> None:
    rows = [
        {
            "platform": e.platform,
            "workspace": e.workspace_id,
            "event_id": e.event_id,
            "conversation": e.conversation,
            "body": e.body,
            "received_at": e.received_at,
            "state": inbox.InboxState.PENDING.value,
            "attempts": 0,
            "available_at": e.received_at,
        }
        for e in events
    ]
    async with engine.begin() as connection:
        statement = base.insert(connection.dialect.name, inbox.TABLE).on_conflict_do_nothing()
        await connection.execute(statement, rows)


WAYS: tuple[tuple[str, Write], ...] = (
    ("driver's SQL (add_all)", driver_sql),
    ("Core statement of dicts", core_statement),
)


async def main() -> None:
    def extra(parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--group", type=int, default=32, help="rows a transaction")
        parser.add_argument("--rounds", type=int, default=3)

    args = arguments(__doc__ or "", n=1000, extra=extra)
    rows = []
    for backend in backends(args.database_url):
        async with fresh_database(backend) as url:
            engine = create_engine(url)
            try:
                for round_ in range(1, args.rounds + 1):
                    for name, write in WAYS:
                        await write(engine, group(args.group))  # warm
                        started = time.process_time()
                        for _ in range(args.n):
                            await write(engine, group(args.group))
                        spent = (time.process_time() - started) / args.n * 1000
                        rows.append([f"{label(backend)}: {name}", str(round_), f"{spent:.2f}"])
            finally:
                await engine.dispose()
    print(f"{args.n} transactions of {args.group} rows a way and round; {machine()}")
    print(table(["", "round", "CPU ms a transaction"], rows))


if __name__ == "__main__":
    run(main)
