"""Group commit in the inbox: how many events per second reach the disk, acked one by one.

``--concurrency`` requests at a time (as an HTTP server under load) each hand one event to the
inbox's writer and wait for its commit. Side by side, in one run: the writer as okrbot runs it
(every row that queued while the last commit ran, at most 256 per transaction), the same
writer waiting 2 ms after the first row for more, and the writer committing each event in a
transaction of its own (what one INSERT per request gives). Prints events/s, the time
each request waited for its commit, and events per transaction.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

from bench.common import (
    LATENCY_HEADER,
    Latencies,
    arguments,
    backends,
    fresh_database,
    label,
    machine,
    run,
    table,
)
from bot.clock import SystemClock
from bot.events import Inbound
from bot.runtime.intake import BATCH, LINGER, Intake
from storage.engine import create_engine

VARIANTS = (
    ("grouped, as okrbot runs it", LINGER, BATCH),
    ("grouped, waiting 2 ms for more", 0.002, BATCH),
    ("one per transaction", 0.0, 1),
)


def event(number: int) -> Inbound:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": f"Ev{number:08d}",
            "event": {
                "type": "app_mention",
                "user": f"U{number % 40}",
                "channel": f"C{number % 5}",
                "text": "<@UBOT> story learning learned: group commits serve many requests",
            },
        }
    )
    return Inbound("slack", "T1", f"Ev{number:08d}", f"C{number % 5}", body, datetime.now(UTC))


async def measure(url: str, linger: float, batch: int, n: int, concurrency: int) -> list[str]:
    engine = create_engine(url)
    intake = Intake(engine, SystemClock(), linger=linger, batch=batch)
    latencies = Latencies()
    numbers = iter(range(n))

    async def sender() -> None:
        for number in numbers:
            await latencies.time(intake(event(number)))

    try:
        await intake(event(-1))  # warm the connection up
        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        commits = intake.commits - 1
        await intake.close()
        await engine.dispose()
    row = latencies.row("")
    return [f"{n / elapsed:,.0f}", *row[3:], f"{n / max(commits, 1):.1f}"]


async def main() -> None:
    def extra(parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--concurrency", type=int, default=32)

    args = arguments(__doc__ or "", n=5000, extra=extra)
    rows = []
    for backend in backends(args.database_url):
        for name, linger, batch in VARIANTS:
            async with fresh_database(backend) as url:
                figures = await measure(url, linger, batch, args.n, args.concurrency)
                rows.append([f"{label(backend)}: {name}", *figures])
    header = ["", "events/s", *LATENCY_HEADER[3:], "events/commit"]
    print(f"{args.n} events, {args.concurrency} at a time; {machine()}")
    print(table(header, rows))


if __name__ == "__main__":
    run(main)
