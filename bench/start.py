"""Start and memory: `okrbot serve` (Slack only, one bot token) spawned again and again beside a
bare Bolt app, each time timed from spawn to its first good answer, then fed signed events.

Each run spawns every server in turn (the order rotates: A/B alternated), on a database already
migrated. A run: seconds from spawning the process to its first ``/readyz`` 200 (the bare app:
its first answer) and the CPU seconds the process used until then (less moved by the machine's
load than the wall time), RSS one second later (idle), then one signed slash command (``/okr
team create``, through Bolt as any command; ``first command s``: how long its answer took,
the slowest of the runs, loading Bolt included where okrbot loads it on demand) and
``--events`` signed ``app_mention`` stories over ``--connections`` connections; the peak RSS
while they are sent and handled, and RSS once every acked story is handled (stored as a
learning story; the bench waits up to two minutes), how long that took after the last ack
(``drain s``, median), and the CPU seconds the server used from ready to then (``CPU after
ready s``: acking and handling them, load-independent).

    python -m bench.start [--runs 5] [--events 1000] [--connections 8] [--database-url URL]
                          [--compare CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import statistics
import sys
import time
from collections.abc import Callable

import aiohttp

from bench.common import machine, table
from bench.http_ingest import create_team, sample_rss, stored
from bench.http_servers import (
    Server,
    bare_bolt,
    cpu_seconds,
    fake_slack,
    okrbot,
    rss,
    story_request,
)
from bench.server_options import okrbot_databases, server_options, servers_wanted

HEADER = [
    "server",
    "runs",
    "ready p50 s",
    "ready max s",
    "CPU to ready s",
    "first command s",
    "idle MB",
    "peak MB",
    "after MB",
    "acked",
    "stored",
    "drain s",
    "CPU after ready s",
]


def options() -> argparse.Namespace:
    parser = server_options(
        __doc__.splitlines()[0], compared="a copy of main, say, on databases of its own"
    )
    parser.add_argument("--runs", type=int, default=5, help="spawns of each server (default 5)")
    parser.add_argument("--events", type=int, default=1000, help="stories a run (default 1000)")
    parser.add_argument("--connections", type=int, default=8, help="at once (default 8)")
    return parser.parse_args()


def _request(port: int, tag: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one signed story (as bench.http_servers writes them for wrk)."""
    raw = story_request(port, tag, str(int(time.time())))
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line)
    headers.pop("Content-Length", None)
    headers.pop("Host", None)
    return body, headers


async def feed(
    server: Server, session: aiohttp.ClientSession, run: int, events: int, at: int
) -> int:
    """Send ``events`` stories tagged with ``run``, ``at`` at a time; return how many were acked."""
    tags = iter(range(events))
    acked = 0

    async def sender() -> None:
        nonlocal acked
        for number in tags:
            body, headers = _request(server.port, f"r{run:04d}t0n{number}")
            url = f"{server.base}/slack/events"
            async with session.post(url, data=body, headers=headers) as answer:
                await answer.read()
                acked += answer.status == 200

    await asyncio.gather(*(sender() for _ in range(at)))
    return acked


async def one_run(
    spawn: Callable[[], contextlib.AbstractAsyncContextManager[Server]],
    session: aiohttp.ClientSession,
    run: int,
    args: argparse.Namespace,
) -> dict[str, float]:
    async with spawn() as server:
        figures = {"ready": server.started, "cpu": server.cpu, "idle": server.idle_rss / 2**20}
        if server.database is not None:
            commanded = time.perf_counter()
            await create_team(server, session)
            figures["command"] = time.perf_counter() - commanded
        peak, stop = [0], asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server.pid, peak, stop))
        acked = await feed(server, session, run, args.events, args.connections)
        count, acked_at = 0, time.perf_counter()
        if server.database is not None:
            deadline = acked_at + 120
            while True:  # until every acked story is handled (kept, none left in the inbox)
                kept, _, waiting = await stored(server, run)
                count = kept - waiting
                if (count >= acked and not waiting) or time.perf_counter() > deadline:
                    break
                await asyncio.sleep(0.1)
        figures["drain"] = time.perf_counter() - acked_at
        figures["work"] = cpu_seconds(server.pid) - server.cpu  # the command and the stories
        await asyncio.sleep(0.5)
        stop.set()
        await sampler
        figures |= {"peak": peak[0] / 2**20, "after": rss(server.pid) / 2**20}
        figures |= {"acked": acked, "stored": count}
    return figures


def row(name: str, runs: list[dict[str, float]], bare: bool) -> list[str]:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    ready = [r["ready"] for r in runs]
    return [
        name,
        str(len(runs)),
        f"{statistics.median(ready):.2f}",
        f"{max(ready):.2f}",
        f"{median('cpu'):.2f}",
        "-" if bare else f"{max(r['command'] for r in runs):.2f}",
        f"{median('idle'):.0f}",
        f"{median('peak'):.0f}",
        f"{median('after'):.0f}",
        f"{sum(r['acked'] for r in runs):.0f}",
        "-" if bare else f"{sum(r['stored'] for r in runs):.0f}",
        "-" if bare else f"{median('drain'):.1f}",
        f"{median('work'):.2f}",
    ]


async def main() -> None:
    args = options()
    wanted = servers_wanted(args.only)
    spawns: dict[str, Callable[[], contextlib.AbstractAsyncContextManager[Server]]] = {}
    async with contextlib.AsyncExitStack() as stack, aiohttp.ClientSession() as session:
        api_url = await stack.enter_async_context(fake_slack())
        if "bare" in wanted:
            spawns["bare Bolt"] = lambda: bare_bolt(api_url, session)
        for backend, variant, url, root in await okrbot_databases(stack, args, wanted):
            name = f"okrbot, {backend}{', ' + variant if variant else ''}"
            spawns[name] = functools.partial(okrbot, url, name, api_url, session, root)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in spawns}
        names = list(spawns)
        for run in range(args.runs):
            for name in names[run % len(names) :] + names[: run % len(names)]:
                number = run * len(names) + names.index(name)
                figures = await one_run(spawns[name], session, number, args)
                results[name].append(figures)
                print(name, {k: round(v, 2) for k, v in figures.items()}, file=sys.stderr)
    print(
        f"start and memory: {args.runs} spawns each, {args.events} stories a run over "
        f"{args.connections} connections ({machine()})"
    )
    print(table(HEADER, [row(n, r, n == "bare Bolt") for n, r in results.items()]))


if __name__ == "__main__":
    asyncio.run(main())
