"""One unit of work per inbound event: its own transaction, or a savepoint in a batch's.

The inbox's worker handles a conversation's consecutive events in one transaction, each event
in a savepoint (:class:`Batch`, opened with :func:`within`); anything else that hands an event to
:class:`EventUnit` (an inline request, a Teams turn) gets one transaction per event.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import ChatEvent, Turn
from bot.ports import Clock, Meter, Unavailable
from bot.replies import Outcome, Refusal, private
from bot.runtime import context, outbox
from storage import core, ledger
from storage.base import WORK_WAITING

log = logging.getLogger(__name__)

Route = Callable[[AsyncSession, Turn], Awaitable[Outcome]]

# What a retry can cure: the database unreachable, restarting, locked or timing out. Anything
# else an event raises is a bug, which a retry would only repeat.
TRANSIENT = (OperationalError, InterfaceError, OSError, TimeoutError)
# SQLSTATE classes that say the same when a driver reports them otherwise: connection exception,
# insufficient resources, operator intervention (a restart: "shutting down", "starting up").
TRANSIENT_STATES = ("08", "53", "57")
KNOWN_WORKSPACES = 10_000


@dataclass
class Batch:
    """A transaction that several events share, each in its own savepoint.

    What an event learns that holds only once committed (a workspace's id, a wake-up of the
    loops) waits in ``after``, which the batch's owner runs after the commit; an event whose
    savepoint rolled back added nothing to it.
    """

    session: AsyncSession
    after: list[Callable[[], None]] = field(default_factory=list)

    def committed(self) -> None:
        for done in self.after:
            done()
        self.after.clear()


_batch: ContextVar[Batch | None] = ContextVar("okrbot_batch", default=None)


@contextmanager
def within(batch: Batch) -> Iterator[Batch]:
    """Hand the events handled in this block (this task's) to ``batch``'s transaction."""
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)


def transient(error: BaseException) -> bool:
    """Whether ``error`` is the database being away for a moment, which a retry can cure."""
    if isinstance(error, TRANSIENT):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = str(getattr(error.orig, "sqlstate", "") or "")
    return state[:2] in TRANSIENT_STATES


class EventUnit:
    """Handle an event in one transaction: its effects, its ledger row and its outbox rows.

    A retried event (same platform event id) changes nothing. A refusal rolls back whatever
    the event had done and answers privately. A database that is away raises ``Unavailable``,
    so the adapter asks the platform to retry.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        route: Route,
        on_committed: Callable[[], None] | None = None,
        *,
        meter: Meter,
    ) -> None:
        self._sessions = sessions
        self._meter = meter
        self._clock = clock
        self._route = route
        self.on_committed = on_committed  # wakes the loops that send and perform due work
        self._event_key = (sessions.kw.get("info") or {}).get(ledger.EVENT_KEY)
        # Workspace rows are never deleted, so once one is committed its id can be kept here:
        # an event from a known workspace costs no statement to find it.
        self._workspaces: dict[tuple[str, str], int] = {}

    async def __call__(self, event: ChatEvent) -> Outcome:
        platform, kind = event.platform, event.kind.value
        self._meter.event_received(platform, kind)
        with context.about(**context.of_event(event, self._event_key)):  # for every log line
            try:
                return await self._handle(event)
            except Exception:
                self._meter.event_failed(platform, kind)
                raise

    async def _handle(self, event: ChatEvent) -> Outcome:
        now = self._clock.now()
        batch = _batch.get()
        if batch is not None:
            return await self._in_batch(batch, event, now)
        try:
            async with self._sessions() as session, session.begin():
                done = await self._apply(session, event, now)
            if done is None:
                return Outcome()
            outcome, workspace_id, work_waiting = done
            self._remember(event, workspace_id)  # committed: the row exists for good
        except Refusal as refusal:
            if not await self._remember_refused(event, now):
                self._meter.event_repeated(event.platform, event.kind.value)
                return Outcome()  # a retry of a refused event: it was answered already
            refused = private(refusal.message)
            return Outcome(replies=refused.replies, form_errors=refusal.form_errors)
        except Exception as error:
            if not transient(error):
                raise
            raise Unavailable(f"the database is unavailable ({type(error).__name__})") from error
        if work_waiting and self.on_committed is not None:
            self.on_committed()  # it wrote messages to send, or work due now: wake the loops
        return outcome

    async def _in_batch(self, batch: Batch, event: ChatEvent, now: datetime) -> Outcome:
        """The event in a savepoint of the batch's transaction; the owner commits it."""
        session = batch.session
        try:
            async with session.begin_nested():
                done = await self._apply(session, event, now)
        except Refusal as refusal:  # its savepoint rolled back; its ledger row goes in alone
            if event.event_id and not await ledger.record_event(
                session, platform=event.platform, event_id=event.event_id, now=now
            ):
                self._meter.event_repeated(event.platform, event.kind.value)
                return Outcome()
            refused = private(refusal.message)
            return Outcome(replies=refused.replies, form_errors=refusal.form_errors)
        except Exception as error:
            if not transient(error):
                raise
            raise Unavailable(f"the database is unavailable ({type(error).__name__})") from error
        if done is None:
            return Outcome()
        outcome, workspace_id, work_waiting = done
        batch.after.append(lambda: self._remember(event, workspace_id))
        if work_waiting and self.on_committed is not None:
            batch.after.append(self.on_committed)
        return outcome

    async def _apply(
        self, session: AsyncSession, event: ChatEvent, now: datetime
    ) -> tuple[Outcome, int, bool] | None:
        """The event's ledger row, effects and outbox rows; None when it was handled before."""
        if event.event_id and not await ledger.record_event(
            session, platform=event.platform, event_id=event.event_id, now=now
        ):
            log.info("ignored a repeated %s event", event.platform)
            self._meter.event_repeated(event.platform, event.kind.value)
            return None
        turn = Turn(event=event, workspace_id=await self._workspace(session, event, now), now=now)
        outcome = await self._route(session, turn)
        await outbox.enqueue_all(session, turn=turn, deliveries=outcome.deliveries)
        return outcome, turn.workspace_id, bool(session.info.pop(WORK_WAITING, False))

    async def _workspace(self, session: AsyncSession, event: ChatEvent, now: datetime) -> int:
        known = self._workspaces.get((event.platform, event.workspace_id))
        if known is not None:
            return known
        workspace = await core.get_or_create_workspace(
            session, platform=event.platform, external_id=event.workspace_id, now=now
        )
        return workspace.id

    def _remember(self, event: ChatEvent, workspace_id: int) -> None:
        if len(self._workspaces) >= KNOWN_WORKSPACES:
            self._workspaces.clear()  # a bound, not a policy: they are found again one by one
        self._workspaces[(event.platform, event.workspace_id)] = workspace_id

    async def _remember_refused(self, event: ChatEvent, now: datetime) -> bool:
        """Record a refused event's id on its own, so that its retries are not answered again.

        The refusal rolled back everything the event did, its ledger row included; the row is
        written again here, alone. False when it was there already (a concurrent retry).
        """
        if not event.event_id:
            return True
        async with self._sessions() as session, session.begin():
            return await ledger.record_event(
                session, platform=event.platform, event_id=event.event_id, now=now
            )
