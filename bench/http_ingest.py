"""Signed Slack events over real HTTP: `okrbot serve` (SQLite, PostgreSQL) beside a bare Bolt app.

Each server runs in its own process; wrk drives it with signed ``app_mention`` event_callback
requests, each a learning story with its own event id, at several numbers of connections, the
servers taking turns at each level (A/B alternated). Slack's Web API is a small local server that
answers every call at once. After each run the database is read: every acknowledged event must
be kept exactly once, as a story handled or as an event still waiting in the inbox; then the
worker gets up to a minute to handle the rest before the next run (``handled in s``).
``OKRBOT_INBOX_WORKER=off`` in the bench's environment measures okrbot's acks alone. With
``--split``, okrbot also runs as two processes on a database of its own: `okrbot serve` that only
acks (``OKRBOT_INBOX_WORKER=off``, ``--no-scheduler``) and one `okrbot work` that handles.
``CPU ms/ack``: the CPU time the process taking the requests used during the run, by ack (with
its worker on, whatever the worker did meanwhile too), a figure the machine's load moves less.

    python -m bench.http_ingest [--database-url URL] [--seconds 8] [--levels 1,8,32,128]
                                [--rounds 1] [--pool 40000] [--compare CHECKOUT] [--split]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text

from bench.common import machine, table
from bench.http_servers import (
    Server,
    bare_bolt,
    cpu_seconds,
    fake_slack,
    okrbot,
    rss,
    signed_headers,
    split_okrbot,
    story_request,
)
from bench.server_options import okrbot_databases, server_options, servers_wanted
from bot.entry.settings import OFF
from storage.engine import create_engine

LUA = Path(__file__).parent / "wrk" / "signed.lua"
DRAIN = 60.0  # seconds the worker gets, after a run, to handle what the run kept
HEADER = [
    "server",
    "conns",
    "req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "> 3 s",
    "not 2xx",
    "acked",
    "kept",
    "dupes",
    "handled in s",
    "RSS MB",
    "CPU ms/ack",
]


def options() -> argparse.Namespace:
    parser = server_options(
        __doc__.splitlines()[0],
        compared="e.g. a worktree of main, on databases of its own (PostgreSQL: the given "
        "database's name + _compare, created if missing)",
    )
    parser.add_argument("--seconds", type=int, default=8, help="length of each run (default 8)")
    parser.add_argument("--levels", default="1,8,32,128", help="connections, comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="runs per server and level")
    parser.add_argument(
        "--pool", type=int, default=40_000, help="distinct signed requests per run (default 40000)"
    )
    parser.add_argument(
        "--split", action="store_true", help="also okrbot as serve (acks only) + okrbot work"
    )
    return parser.parse_args()


def write_requests(directory: Path, server: Server, run: int, threads: int, total: int) -> None:
    """One file per wrk thread of signed, distinct requests (fresh timestamps)."""
    stamp = str(int(time.time()))
    per_thread = max(1, total // threads)
    for thread in range(threads):
        with open(directory / f"{thread}.req", "wb") as out:
            for i in range(per_thread):
                out.write(story_request(server.port, f"r{run:04d}t{thread}n{i}", stamp) + b"\0")


async def sample_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)


async def wrk(server: Server, connections: int, seconds: float, directory: Path) -> dict[str, Any]:
    threads = 1 if connections == 1 else 2
    process = await asyncio.create_subprocess_exec(
        *("wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "10s"),
        *("-s", str(LUA), f"{server.base}/slack/events", "--", str(directory)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    for line in out.decode().splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line.removeprefix("RESULT ")))
    raise SystemExit(f"wrk failed:\n{out.decode()}")


async def stored(server: Server, run: int) -> tuple[int, int, int]:
    """What the server's database holds of run ``run``: the events kept (as a story handled, or
    waiting in the inbox), the stories stored more than once, and the events not yet handled."""
    assert server.database is not None
    engine = create_engine(server.database)
    tag = {"t": f"%r{run:04d}t%"}
    try:
        async with engine.connect() as db:
            stories = await db.execute(
                text("SELECT text FROM learning_story WHERE text LIKE :t"), tag
            )
            handled = [_tag(line) for (line,) in stories]
            inbox = await db.execute(text("SELECT body FROM inbox_event WHERE body LIKE :t"), tag)
            # A row stays in the inbox a moment after its story is stored (until its pass ends).
            waiting = {_tag(body) for (body,) in inbox} - set(handled)
            return len(set(handled)) + len(waiting), len(handled) - len(set(handled)), len(waiting)
    finally:
        await engine.dispose()


def _tag(text: str) -> str:
    """A story's tag (``r0001t42``), as written in its text and in its event's body."""
    start = text.index("hypothesis: ") + len("hypothesis: ")
    return text[start : text.index(" ", start)]


async def measure(
    server: Server, connections: int, seconds: float, run: int, pool: int
) -> list[str]:
    directory = Path(tempfile.mkdtemp(prefix="okrbot-wrk-"))
    try:
        threads = 1 if connections == 1 else 2
        write_requests(directory, server, run, threads, pool if server.database else 20_000)
        peak, stop = [0], asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server.pid, peak, stop))
        cpu = cpu_seconds(server.pid)  # of the process taking the requests only
        result = await wrk(server, connections, seconds, directory)
        cpu = cpu_seconds(server.pid) - cpu
        stop.set()
        await sampler
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    failed = result["status_errors"] + result["timeouts"] + result["read_errors"]
    acked = result["requests"] - result["status_errors"]
    count = dupes = drain = "-"
    handling = server.worker or os.environ.get("OKRBOT_INBOX_WORKER", "on").lower() not in OFF
    if server.database is not None:
        kept, twice, waiting = await stored(server, run)
        count, dupes = str(kept), str(twice)
        if result["wrapped"]:
            count += " (pool wrapped)"
        started = time.perf_counter()  # let the worker finish, so the next run has the CPU
        while waiting and handling and time.perf_counter() - started < DRAIN:
            await asyncio.sleep(0.1)
            _, _, waiting = await stored(server, run)
        drain = (
            f"{time.perf_counter() - started:.1f}"
            if not waiting
            else f"> {DRAIN:.0f} ({waiting} waiting)"
            if handling
            else f"({waiting} waiting: no worker)"
        )
    seconds_run = result["duration_us"] / 1e6
    return [
        server.name,
        str(connections),
        f"{result['requests'] / seconds_run:,.0f}",
        f"{result['p50_us'] / 1000:.1f}",
        f"{result['p99_us'] / 1000:.1f}",
        f"{result['max_us'] / 1000:.0f}",
        str(result["over_3s"]),
        str(failed),
        str(acked),
        count,
        dupes,
        drain,
        f"{peak[0] / 2**20:.0f}",
        f"{cpu * 1000 / max(acked, 1):.2f}",
    ]


async def create_team(server: Server, session: aiohttp.ClientSession) -> None:
    """A team in the channel the stories are told in, by a signed slash command."""
    body = "command=%2Fokr&text=team+create+Bench&team_id=T1&channel_id=C1&user_id=U1"
    headers = signed_headers(body.encode(), str(int(time.time())))
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    async with session.post(f"{server.base}/slack/events", data=body, headers=headers) as answer:
        assert answer.status == 200, await answer.text()


async def main() -> None:
    args = options()
    levels = [int(level) for level in args.levels.split(",")]
    wanted = servers_wanted(args.only)
    rows: list[list[str]] = []
    starts: list[list[str]] = []
    async with contextlib.AsyncExitStack() as stack, aiohttp.ClientSession() as session:
        api_url = await stack.enter_async_context(fake_slack())
        servers: list[Server] = []
        if "bare" in wanted:
            servers.append(await stack.enter_async_context(bare_bolt(api_url, session)))
        for backend, variant, url, root in await okrbot_databases(stack, args, wanted):
            name = backend + {"": "", "compared": " (compared)", "split": ", split"}[variant]
            started = split_okrbot if variant == "split" else okrbot
            server = await stack.enter_async_context(started(url, name, api_url, session, root))
            await create_team(server, session)
            servers.append(server)
        for server in servers:
            starts.append([server.name, f"{server.started:.2f}", f"{server.idle_rss / 2**20:.0f}"])
        run = 0
        for connections in levels:
            for round_ in range(args.rounds):
                turn = round_ + levels.index(connections)
                for server in servers[turn % len(servers) :] + servers[: turn % len(servers)]:
                    run += 1
                    rows.append(await measure(server, connections, args.seconds, run, args.pool))
                    print("  ".join(rows[-1]), file=sys.stderr)
    print(f"http ingest: signed app_mention stories, {args.seconds} s a run ({machine()})")
    print(table(HEADER, rows))
    print()
    print(table(["server", "start to ready s", "RSS idle MB"], starts))


if __name__ == "__main__":
    asyncio.run(main())
