"""Which servers an HTTP bench runs, on which fresh databases: the options bench.http_ingest,
bench.start and bench.ack_cpu share."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import fresh_database, label
from bench.http_servers import ROOT
from storage.engine import create_engine

SERVERS = ("bare", "sqlite", "postgresql")


def server_options(description: str, *, compared: str) -> argparse.ArgumentParser:
    """A parser with the options of a bench of these servers: --database-url, --only, and
    --compare (``compared`` says where the compared checkout keeps its data)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", help="also okrbot on this PostgreSQL database (wiped)")
    parser.add_argument("--only", default="", help="servers to run, e.g. bare,sqlite")
    parser.add_argument(
        "--compare", type=Path, help=f"also serve okrbot from this checkout, {compared}"
    )
    return parser


def servers_wanted(only: str) -> set[str]:
    """The servers named by --only: all of them when it is empty."""
    return set(only.split(",")) if only else set(SERVERS)


async def sibling(url: str, suffix: str) -> str:
    """Another PostgreSQL database beside ``url``'s, named with ``suffix``, created if missing."""
    if url == "sqlite":
        return url
    given = make_url(url)
    name = f"{given.database}{suffix}"
    engine = create_engine(
        given.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with engine.connect() as db:
            found = await db.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not found:
                await db.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


async def okrbot_databases(
    stack: contextlib.AsyncExitStack, args: argparse.Namespace, wanted: set[str]
) -> list[tuple[str, str, str, Path]]:
    """The okrbots to serve: SQLite and --database-url among ``wanted``, each from this
    checkout, from --compare's and, with --split, as serve + work; (backend, variant: "",
    "compared" or "split", its fresh database, checkout) each."""
    found = []
    variants = [("", ROOT)] + ([("compared", args.compare)] if args.compare else [])
    variants += [("split", ROOT)] if getattr(args, "split", False) else []
    for backend in ["sqlite"] + ([args.database_url] if args.database_url else []):
        if label(backend) not in wanted:
            continue
        for variant, root in variants:
            database = await sibling(backend, f"_{variant}") if variant else backend
            url = await stack.enter_async_context(fresh_database(database))
            found.append((label(backend), variant, url, root.resolve()))
    return found
