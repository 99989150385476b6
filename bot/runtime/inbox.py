"""The inbox's worker: handle stored events in order per conversation, retry, give up visibly.

Each pass claims up to ``batch`` rows (a lease, so that two replicas never hold the same row,
and a dead replica's rows come back when its lease runs out), groups them by conversation and
handles the conversations side by side (``concurrency`` at once), each one's events one after
the other. Where the platform's :data:`bot.ports.Apply` allows it (``batched``), a
conversation's consecutive events share one transaction, up to ``per_transaction`` events or
``budget`` seconds, each event inside the unit of work's savepoint holding its effects, its
processed-event ledger row and its outbox rows; the handled rows are deleted in the same
transaction. A failing event rolls back alone and its neighbours before it commit; nothing of
a batch is seen, and no reply of it is sent, before the batch commits, and a crash before that
leaves every row of it to be handled again.
Otherwise each event has its own transaction (the core's unit of work), and the handled rows
leave the inbox in one transaction per pass; a crash between the two finds the ledger row on
the retry, which then changes nothing.

A failing event is tried again after 1, 2, 4, 8 s and after ``attempts`` tries becomes a dead
letter (kept, counted, listed and replayed by ``okrbot inbox``). While it waits, the later
events of its conversation wait behind it, so none overtakes it; once it is dead they go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import Apply, Then
from bot.ports import Clock, Unavailable
from bot.runtime import units
from bot.runtime.units import transient
from storage import inbox

log = logging.getLogger(__name__)

ATTEMPTS = 5
FIRST_BACKOFF = 1.0


class InboxWorker:
    """Claim and handle the inbox's rows for the platforms this process serves."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        appliers: Mapping[str, Apply],
        *,
        lease: timedelta = timedelta(seconds=15),
        batch: int = 200,
        concurrency: int = 8,
        per_transaction: int = 50,
        budget: float | None = None,
        attempts: int = ATTEMPTS,
        on_handled: Callable[[str, float], None] | None = None,
        on_dead: Callable[[str], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._appliers = appliers
        self._lease = lease
        self._batch = batch
        self._concurrency = concurrency
        # How much one transaction takes on: a bound on what a crash makes redo, and on how
        # long it holds its connection; on SQLite that is the only one, which acks wait for.
        self.per_transaction = per_transaction
        self.budget = budget if budget is not None else _budget(sessions)
        self._attempts = attempts
        self._on_handled = on_handled
        self._on_dead = on_dead

    async def drain(self) -> int:
        """Handle what is due until nothing claimable is left; return how many were handled."""
        total = 0
        while handled := await self.pass_once():
            total += handled
        return total

    async def pass_once(self) -> int:
        """One pass: claim, handle, record. Returns how many rows it settled (0: none due)."""
        if not self._appliers:
            return 0
        now = self._clock.now()
        try:
            async with self._sessions() as session, session.begin():
                await inbox.lock_claims(session)
                rows = await inbox.claim(
                    session,
                    now=now,
                    lease=self._lease,
                    limit=self._batch,
                    platforms=list(self._appliers),
                )
        except Exception as error:
            if transient(error):
                raise Unavailable(
                    f"cannot claim from the inbox ({type(error).__name__})"
                ) from error
            raise
        if not rows:
            return 0
        conversations: dict[tuple[str, str, str], list[inbox.Claimed]] = {}
        for row in rows:
            conversations.setdefault((row.platform, row.workspace, row.conversation), []).append(
                row
            )
        gate = asyncio.Semaphore(self._concurrency)
        held = {row.id for row in rows}

        async def run(events: Sequence[inbox.Claimed]) -> list[int]:
            async with gate:
                return await self._conversation(events)

        heartbeat = asyncio.create_task(self._keep_leases(held))
        try:
            results = await asyncio.gather(*(run(events) for events in conversations.values()))
            handled = [row_id for done in results for row_id in done]
            async with self._sessions() as session, session.begin():
                await inbox.finish(session, handled)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
        return len(rows)

    async def _keep_leases(self, held: set[int]) -> None:
        """Extend the leases of the rows still in hand every third of a lease, so that a slow
        pass keeps them until they are finished; only a dead process's rows go to another.
        Rows given back (released, failed) have no lease, and the heartbeat leaves them so."""
        every = self._lease.total_seconds() / 3
        while held:
            await asyncio.sleep(every)
            try:
                async with self._sessions() as session, session.begin():
                    await inbox.extend(session, list(held), self._clock.now() + self._lease)
            except Exception:  # the database away: the handling fails too, and is retried
                log.warning("could not extend the inbox's leases", exc_info=True)

    async def _conversation(self, events: Sequence[inbox.Claimed]) -> list[int]:
        """Handle one conversation's events in order; stop at the first that fails.

        Returns the rows left for the pass to remove (those handled one per transaction)."""
        apply = self._appliers[events[0].platform]
        if apply.batched:
            start = 0
            while start < len(events):
                done, stopped = await self._together(apply, events[start:])
                start += done
                if stopped:
                    break
            return []
        handled: list[int] = []
        for index, row in enumerate(events):
            try:
                then = await apply(row.body, row.received_at)
            except Exception as error:
                await self._failed(row, error, rest=[r.id for r in events[index + 1 :]])
                return handled
            handled.append(row.id)
            await self._settled(row, then)
        return handled

    async def _together(self, apply: Apply, events: Sequence[inbox.Claimed]) -> tuple[int, bool]:
        """Handle the first of ``events`` in one transaction, each in the unit's savepoint,
        until the cap, the time budget or a failure. Returns how many it settled, and whether
        it stopped on a failure (the rest of the conversation then waits behind it)."""
        handled: list[tuple[inbox.Claimed, Then | None]] = []
        failure: tuple[int, Exception] | None = None
        deadline = time.monotonic() + self.budget
        try:
            async with self._sessions() as session, session.begin():
                await inbox.hold(session)
                batch = units.Batch(session)
                with units.within(batch):
                    for index, row in enumerate(events[: self.per_transaction]):
                        if handled and time.monotonic() > deadline:
                            break
                        try:  # the unit's savepoint: a failing event rolls back alone
                            then = await apply(row.body, row.received_at)
                        except Exception as error:
                            failure = (index, error)
                            break
                        handled.append((row, then))
                # The handled rows leave with the batch's commit, all in one statement.
                await inbox.finish(session, [row.id for row, _ in handled])
        except Exception as error:  # the batch did not commit: none of it happened
            if failure is None or not transient(failure[1]):
                failure = (0, error)
            else:
                failure = (0, failure[1])
            handled = []
        else:
            batch.committed()
        for row, then in handled:
            await self._settled(row, then)
        if failure is None:
            return len(handled), False
        at, cause = failure
        await self._failed(events[at], cause, rest=[r.id for r in events[at + 1 :]])
        return at + 1, True

    async def _settled(self, row: inbox.Claimed, then: Then | None) -> None:
        """A committed event: count it and send its replies."""
        if self._on_handled is not None:
            lag = (self._clock.now() - row.received_at).total_seconds()
            self._on_handled(row.platform, lag)
        if then is not None:
            try:
                await then()
            except Exception:  # handled for good: only its replies are lost
                log.exception("could not send the replies of an inbox event")

    async def _failed(self, row: inbox.Claimed, error: Exception, *, rest: list[int]) -> None:
        now = self._clock.now()
        unavailable = isinstance(error, Unavailable) or transient(error)
        tries = row.attempts + 1
        dead = tries >= self._attempts and not unavailable
        if unavailable:  # the database away: not the event's fault, so no try is counted
            log.warning("an inbox event waits for the database: %s", error)
        elif dead:
            log.error(
                "gave up an inbox event after %d tries; it is a dead letter (okrbot inbox)",
                tries,
                exc_info=error,
            )
        else:
            log.warning(
                "an inbox event failed (try %d of %d)", tries, self._attempts, exc_info=error
            )
        delay = FIRST_BACKOFF * 2 ** min(row.attempts, 10)
        try:
            async with self._sessions() as session, session.begin():
                if unavailable:
                    await inbox.release(session, [row.id])
                else:
                    again = None if dead else now + timedelta(seconds=delay)
                    await inbox.failed(session, row.id, error=_summary(error), available_at=again)
                await inbox.release(session, rest)
        except Exception:  # the leases run out and the rows come back; nothing is lost
            log.exception("could not record an inbox event's failure")
            return
        if dead and self._on_dead is not None:
            self._on_dead(row.platform)


def _budget(sessions: async_sessionmaker[AsyncSession]) -> float:
    """Seconds of handling one transaction may take on: none past its first event on SQLite,
    half a second on PostgreSQL.

    On SQLite the acks wait for the same one connection as the worker. With the worker in
    `okrbot serve` at 32 connections (bench.http_ingest, quiet), a 50 ms budget acked 300
    requests a second at a p50 of 110 ms; 10 ms, 685 at 47 ms; none, 1,053 at 29 ms. The
    budget did speed up one channel's backlog (212 stories a second against 108), but a
    prompt ack comes first. PostgreSQL's acks have connections of their own.
    """
    bind = sessions.kw.get("bind")
    return 0.0 if bind is not None and bind.dialect.name == "sqlite" else 0.5


def _summary(error: Exception) -> str:
    """The error's class and first line: a database error's parameters may hold people's words."""
    first = str(error).split("\n", 1)[0].split(" [SQL:", 1)[0]
    return f"{type(error).__name__}: {first}"[:200]
