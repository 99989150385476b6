"""The inbox's rows as its writer adds them (the driver's SQL, not the ORM's): the same values,
times stored the way every other row stores them, a platform's retry added once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Inbound
from storage import inbox
from storage.inbox import InboxEvent, InboxState
from tests.support.times import START

LEASE = timedelta(minutes=2)


def event(event_id: str, conversation: str = "C1") -> Inbound:
    body = '{"type": "event_callback", "text": "caf\u00e9 \u2603"}'
    return Inbound("slack", "E1:T1", event_id, conversation, body, START)


async def test_rows_added_by_the_writer_read_back_and_are_claimed_in_order(
    session: AsyncSession,
) -> None:
    connection = await session.connection()
    await inbox.add_all(connection, [event("Ev1"), event("Ev2", "C2")])
    await inbox.add_all(connection, [event("Ev1"), event("Ev3")])  # Ev1 again: a retry
    rows = (await session.scalars(select(InboxEvent).order_by(InboxEvent.id))).all()
    assert [(r.event_id, r.conversation) for r in rows] == [
        ("Ev1", "C1"),
        ("Ev2", "C2"),
        ("Ev3", "C1"),
    ]
    first = rows[0]
    assert (first.platform, first.workspace, first.body) == ("slack", "E1:T1", event("Ev1").body)
    assert (first.received_at, first.available_at) == (START, START)
    assert (first.state, first.attempts, first.leased_until) == (InboxState.PENDING, 0, None)
    claimed = await inbox.claim(session, now=START, lease=LEASE, limit=10, platforms=["slack"])
    assert [c.id for c in claimed] == [r.id for r in rows]


async def test_the_writer_stores_times_as_the_orm_does(session: AsyncSession) -> None:
    connection = await session.connection()
    await inbox.add_all(connection, [event("EvWriter")])
    session.add(
        InboxEvent(
            platform="slack",
            workspace="T1",
            event_id="EvOrm",
            conversation="C1",
            body="{}",
            received_at=START,
            available_at=START,
        )
    )
    await session.flush()
    stored = (
        await session.execute(
            text(
                "SELECT CAST(received_at AS TEXT), CAST(available_at AS TEXT) FROM inbox_event"
                " ORDER BY event_id"
            )
        )
    ).all()
    assert stored[0] == stored[1]  # EvOrm, EvWriter: one format, so comparisons hold
