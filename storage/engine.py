"""Engines and session factories for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """Create an engine; SQLite gets WAL, enforced foreign keys and one connection.

    SQLite lets one writer in at a time, and its busy handler does not queue the others: it
    puts them to sleep, up to 100 ms a try, so that under a burst some wait seconds while the
    lock is free most of the time. With one connection in the pool the transactions of this
    process queue on the pool instead, in order, and none ever meets a locked database; the
    busy timeout is left for other processes on the same file (``okrbot run-due``, ``export``).

    PostgreSQL gets no pre-ping: it costs a round trip per transaction, and a connection that
    died with a restart fails its transaction as a transient error, which invalidates the pool
    and is answered 503 (the platform retries), as the database being away is.
    """
    if is_sqlite(url):
        options.setdefault("connect_args", {"timeout": 30})
        if not _in_memory(url):
            options.setdefault("pool_size", 1)
            options.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    return create_async_engine(url, **options)


def _in_memory(url: str) -> bool:
    database = make_url(url).database or ""
    return database in ("", ":memory:") or "mode=memory" in url


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def session_factory(
    engine: AsyncEngine, *, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; ``info`` is handed to each (the deployment's keys, say)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)
