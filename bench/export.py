"""Memory of `okrbot export` at two volumes, beside the naive export a user might write.

Each export runs in a process of its own, so its peak RSS (``ru_maxrss`` from ``wait4``) is what
the machine sees, interpreter and libraries included; `okrbot export` of the same database while
still empty is the floor that growth is measured from. The naive export loads each table whole
as ORM objects (``session.scalars(select(Model)).all()``) and writes them out. The records are
written in bulk (tests.support.volume), most of them answers, learning stories and shout-outs.

    python -m bench.export [--database-url URL] [--n 100000] [--small 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from bench.common import arguments, backends, fresh_database, label, machine, run, table
from storage.core import Team
from storage.engine import create_engine, session_factory
from storage.okr import ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.recognition import ShoutOut
from storage.retro import Adaptation, RetroAnswer, RetroCycle
from tests.support.volume import Volume, fill

MB = 1024 * 1024
NAIVE_MODELS = (Team, KeyResult, RetroCycle, RetroAnswer, LearningStory, ImpactStory)
NAIVE_MODELS += (Adaptation, MetricConcern, ShoutOut)


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--small", type=int, default=10_000, help="the smaller run's records")
    parser.add_argument("--naive", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)


async def naive(url: str, path: Path) -> None:
    """Export the way a quick script would: every table loaded whole, then written."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            with path.open("w", encoding="utf-8") as out:
                for model in NAIVE_MODELS:
                    for item in (await session.scalars(select(model))).all():
                        out.write(json.dumps(_columns(item), default=str) + "\n")
    finally:
        await engine.dispose()


def _columns(item: Any) -> dict[str, Any]:
    return {column.key: getattr(item, column.key) for column in inspect(item).mapper.columns}


def measure(argv: list[str], url: str) -> tuple[float, float]:
    """Run a command in a process of its own; its peak RSS in MB and its wall time in s."""
    env = {**os.environ, "OKRBOT_DATABASE_URL": url}
    start = time.perf_counter()
    quiet = subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, *argv], env=env, stdout=quiet, stderr=quiet)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"python {' '.join(argv)} exited {process.returncode}; run it to see why")
    return usage.ru_maxrss * 1024 / MB, seconds


async def one_volume(backend: str, records: int) -> list[list[str]]:
    volume = Volume.of(records)
    rows = []
    async with fresh_database(backend) as url:
        with tempfile.TemporaryDirectory(prefix="okrbot-bench-") as directory:
            path = Path(directory) / "export.jsonl"
            empty, _ = measure(["-m", "bot", "export", "--output", str(path)], url)
            engine = create_engine(url)
            try:
                async with engine.begin() as connection:
                    await fill(connection, volume)
            finally:
                await engine.dispose()
            runs = {
                "okrbot export --output": ["-m", "bot", "export", "--output", str(path)],
                "naive: .scalars(...).all()": ["-m", "bench.export", "--naive", url, str(path)],
            }
            for name, argv in runs.items():
                peak, seconds = measure(argv, url)
                with path.open(encoding="utf-8") as lines:
                    written = sum(1 for _ in lines)
                rows.append(
                    [
                        f"{label(backend)}: {name}",
                        f"{written:,}",
                        f"{empty:.0f}",
                        f"{peak:.0f}",
                        f"{peak - empty:+.0f}",
                        f"{seconds:.1f}",
                        f"{path.stat().st_size / MB:.0f}",
                    ]
                )
    return rows


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=100_000, extra=more)
    if args.naive:
        await naive(args.naive[0], Path(args.naive[1]))
        return
    rows = []
    for backend in backends(args.database_url):
        for records in (args.small, args.n):
            rows += await one_volume(backend, records)
    print(f"export: peak RSS of the exporting process ({machine()})")
    header = ["", "records", "empty MB", "peak MB", "growth MB", "s", "file MB"]
    print(table(header, rows))


if __name__ == "__main__":
    run(main)
