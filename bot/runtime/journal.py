"""Recording what became of each outbox message, as soon as it is known."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ports import Clock, Meter
from bot.runtime import outbox
from bot.runtime.sending import Result
from storage import outbox as outbox_rows
from storage.outbox import DeadReason

log = logging.getLogger(__name__)


class Journal:
    """Write results as they come; those that come together share one transaction.

    Each sender waits until its own result is committed, so a message is recorded as soon as
    it is known, as before; but while one commit is under way, the results that arrive meanwhile
    are gathered and written by the next one (a group commit), instead of a transaction each.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        meter: Meter,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._meter = meter
        self._waiting: list[tuple[Result, asyncio.Future[None]]] = []
        self._writer: asyncio.Future[None] | None = None

    async def record(self, result: Result) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((result, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_waiting())
        await written

    def stop(self) -> None:
        """Write nothing more; whoever still waits for a write hears it will not come."""
        if self._writer is not None:
            self._writer.cancel()
        for _, written in self._waiting:
            written.cancel()
        self._waiting = []

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with self._sessions() as session, session.begin():
                    dead = [await write(session, result, self._clock.now()) for result, _ in batch]
            except Exception as error:  # the database is away: every sender hears of it
                for _, written in batch:
                    if not written.done():
                        written.set_exception(error)
                continue
            for (result, written), reason in zip(batch, dead, strict=True):
                self._count(result, reason)  # committed: counted once
                if not written.done():
                    written.set_result(None)

    def _count(self, result: Result, dead: DeadReason | None) -> None:
        platform = result.job.platform
        if result.message_id is not None:
            self._meter.message_sent(platform)
        elif dead is not None:
            self._meter.message_dead(platform, dead.value)


async def write(session: AsyncSession, result: Result, now: datetime) -> DeadReason | None:
    """Record one message's fate: sent, due again, or a dead letter (its reason returned)."""
    job = result.job
    if result.message_id is not None:
        await outbox_rows.mark_sent(
            session, message_id=job.row_id, platform_message_id=result.message_id, now=now
        )
        return None
    if result.wait is not None and not _expired(result, now):
        await outbox_rows.mark_retry(
            session,
            message_id=job.row_id,
            available_at=now + result.wait,
            error=result.note,
            failed_at=now if result.failed else None,
        )
        return None
    reason = result.dead or DeadReason.EXPIRED
    note = result.note if result.dead else f"failing for {outbox.MAX_FAILING}: {result.note}"
    log.warning("outbox message %s to %s is a dead letter (%s)", job.row_id, job.platform, reason)
    await outbox_rows.mark_failed(session, message_id=job.row_id, error=note, reason=reason)
    return reason


def _expired(result: Result, now: datetime) -> bool:
    since = result.job.failing_since
    return result.failed and since is not None and now - since >= outbox.MAX_FAILING
