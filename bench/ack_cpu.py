"""The CPU an ack costs: `okrbot serve` of this checkout beside another's, under wrk.

bench.http_ingest measures requests per second and latency, which move with everything else the
machine runs; the CPU time the server process spent per acked request moves much less, so two
checkouts can be compared on a shared machine. Each server (its own process, SQLite or the given
PostgreSQL database, Slack only, the inbox's worker as the environment says) takes signed
``app_mention`` stories from wrk at ``--connections`` for ``--seconds``, the servers taking turns
for ``--rounds`` rounds; the table gives each run's acks a second and the server's CPU (user and
system, every thread) per ack. Run it with ``OKRBOT_INBOX_WORKER=off`` to measure the ack alone.

    python -m bench.ack_cpu --compare CHECKOUT [--database-url URL] [--connections 32]
                            [--seconds 6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import tempfile
from pathlib import Path

import aiohttp

from bench.common import fresh_database, label, machine, table
from bench.http_ingest import create_team, write_requests, wrk
from bench.http_servers import ROOT, Server, cpu_seconds, fake_slack, okrbot
from bench.server_options import sibling


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--compare", type=Path, required=True, help="the other checkout")
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite (wiped)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


async def measure(server: Server, connections: int, seconds: int, run: int) -> list[str]:
    directory = Path(tempfile.mkdtemp(prefix="okrbot-wrk-"))
    try:
        write_requests(directory, server, run, 2, 40_000)
        before = cpu_seconds(server.pid)
        result = await wrk(server, connections, seconds, directory)
        spent = cpu_seconds(server.pid) - before
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    acked = result["requests"] - result["status_errors"]
    rate = result["requests"] / (result["duration_us"] / 1e6)
    return [server.name, str(run), f"{rate:,.0f}", str(acked), f"{spent / max(acked, 1) * 1e6:.0f}"]


async def main() -> None:
    args = options()
    backend = args.database_url or "sqlite"
    rows: list[list[str]] = []
    async with contextlib.AsyncExitStack() as stack, aiohttp.ClientSession() as session:
        api_url = await stack.enter_async_context(fake_slack())
        servers = []
        for suffix, root in (("", ROOT), (" (compared)", args.compare)):
            database = backend if not suffix else await sibling(backend, "_compare")
            url = await stack.enter_async_context(fresh_database(database))
            server = await stack.enter_async_context(
                okrbot(url, label(backend) + suffix, api_url, session, root.resolve())
            )
            await create_team(server, session)
            servers.append(server)
        run = 0
        for round_ in range(args.rounds):
            for server in servers[round_ % 2 :] + servers[: round_ % 2]:
                run += 1
                rows.append(await measure(server, args.connections, args.seconds, run))
    print(f"CPU an ack costs, {args.connections} connections, {args.seconds} s a run ({machine()})")
    print(table(["server", "run", "req/s", "acked", "CPU us an ack"], rows))


if __name__ == "__main__":
    asyncio.run(main())
