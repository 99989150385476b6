"""A second connection that holds the database busy, as another writer or a long query would.

SQLite: a write lock (``BEGIN IMMEDIATE``) on the same file, so okrbot's next write waits for it.
PostgreSQL: the ledger of processed events locked against inserts, which every command and
interaction writes first. Either way okrbot is slowed from outside, its code untouched.
"""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from storage.engine import create_engine

LOCKED_TABLE = "processed_event"


class DatabaseHeld:
    """Hold the database busy from :meth:`hold` until :meth:`release` (or a given time)."""

    def __init__(self, url: URL) -> None:
        self._url = url
        self._sqlite: sqlite3.Connection | None = None
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self._timer: asyncio.Task[None] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self._url.get_backend_name() == "sqlite"

    async def hold(self, *, for_seconds: float | None = None) -> None:
        if self.is_sqlite:
            self._sqlite = sqlite3.connect(str(self._url.database), isolation_level=None)
            self._sqlite.execute("BEGIN IMMEDIATE")
        else:
            self._engine = create_engine(self._url.render_as_string(hide_password=False))
            self._connection = await self._engine.connect()
            self._transaction = await self._connection.begin()
            await self._connection.execute(text(f"LOCK TABLE {LOCKED_TABLE} IN EXCLUSIVE MODE"))
        if for_seconds is not None:
            self._timer = asyncio.ensure_future(self._release_after(for_seconds))

    async def _release_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.release()

    @property
    def held(self) -> bool:
        return self._sqlite is not None or self._transaction is not None

    async def release(self) -> None:
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
            self._sqlite = None
        if self._transaction is not None and self._connection is not None:
            await self._transaction.rollback()
            await self._connection.close()
            self._transaction = self._connection = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def cut_off_the_waiting(self, within: float = 10.0) -> int:
        """PostgreSQL: end the sessions waiting for the lock, as a database restart would."""
        engine = create_engine(self._url.render_as_string(hide_password=False))
        ended = 0
        try:
            async with asyncio.timeout(within):
                while not ended:
                    async with engine.connect() as connection:
                        ended = len(
                            (
                                await connection.execute(
                                    text(
                                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                        " WHERE datname = current_database()"
                                        " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                                    )
                                )
                            ).all()
                        )
                    if not ended:
                        await asyncio.sleep(0.05)
        finally:
            await engine.dispose()
        return ended
