"""Shared set-up for the benchmarks: fresh migrated databases, timing and printing."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

import migrations
from bot.replies import Reply
from storage.engine import create_engine, is_sqlite

FORBIDDEN_DATABASES = frozenset({"test"})
"""The test suite drops the schema of these: a benchmark never touches them."""


def arguments(
    description: str, *, n: int, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database-url",
        help="also run on this PostgreSQL database (its public schema is dropped and migrated); "
        "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench",
    )
    parser.add_argument("--n", type=int, default=n, help=f"size of the run (default {n})")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def backends(database_url: str | None) -> list[str]:
    """SQLite always; PostgreSQL too when a URL is given."""
    return ["sqlite"] + ([database_url] if database_url else [])


def label(url: str) -> str:
    return "sqlite" if url == "sqlite" or is_sqlite(url) else "postgresql"


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    """A migrated, empty database: a new SQLite file in a temp dir, or a wiped PostgreSQL one."""
    if backend == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="okrbot-bench-"))
        url = f"sqlite+aiosqlite:///{directory / 'okrbot.db'}"
        try:
            await _migrate(url)
            yield url
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    name = make_url(backend).database
    if name in FORBIDDEN_DATABASES:
        raise SystemExit(f"refusing to benchmark on the {name!r} database; create your own")
    engine = create_engine(backend)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    await _migrate(backend)
    yield backend


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Latencies:
    """Per-operation wall times in seconds."""

    seconds: list[float] = field(default_factory=list)

    async def time(self, call: Awaitable[Any]) -> Any:
        start = time.perf_counter()
        result = await call
        self.seconds.append(time.perf_counter() - start)
        return result

    def row(self, name: str) -> list[str]:
        total = sum(self.seconds)
        ms = [s * 1000 for s in self.seconds]
        return [
            name,
            str(len(ms)),
            f"{len(ms) / total:,.0f}" if total else "-",
            f"{statistics.median(ms):.2f}",
            f"{percentile(ms, 95):.2f}",
            f"{percentile(ms, 99):.2f}",
            f"{max(ms):.2f}",
        ]


LATENCY_HEADER = ["", "n", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        rest = [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()} "
        f"({sys.implementation.name}), load average {os.getloadavg()[0]:.1f}"
    )


def rss_bytes() -> int:
    """This process's resident set size now (Linux /proc), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class NullChatPort:
    """A platform that accepts every message and keeps nothing but a count."""

    count: int = 0

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return self._take()

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        return self._take()

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None:
        self._take()

    def _take(self) -> str:
        self.count += 1
        return f"m{self.count}"


def run(main: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(main())  # type: ignore[arg-type]
