"""The processed-event ledger and the outbox: each event handled once, each message sent once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import core, dead_letters, ledger, outbox
from storage.outbox import DeadReason, OutboxMessage
from tests.support.times import START

LEASE = timedelta(minutes=2)
PLATFORMS = ("slack", "teams", "console")


async def workspace_id(session: AsyncSession, external_id: str = "T1") -> int:
    found = await core.get_or_create_workspace(
        session, platform="slack", external_id=external_id, now=START
    )
    return found.id


async def enqueue(
    session: AsyncSession,
    workspace: int,
    key: str,
    *,
    not_before: datetime | None = None,
    target: str | None = None,
) -> bool:
    """Enqueue a message, by default to a channel of its own."""
    row = outbox.row(
        workspace_id=workspace,
        key=key,
        audience="channel",
        target_id=target or f"C-{key}",
        payload={"text": f"message {key}"},
        now=START,
        not_before=not_before,
    )
    return await outbox.enqueue(session, [row]) == 1


async def claim(
    session: AsyncSession, now: datetime = START, limit: int = 10
) -> list[OutboxMessage]:
    claimed = await outbox.claim_due_messages(
        session, now=now, lease=LEASE, limit=limit, platforms=PLATFORMS
    )
    return [c.message for c in claimed]


async def test_an_event_is_recorded_once(session: AsyncSession) -> None:
    assert await ledger.record_event(session, platform="slack", event_id="Ev1", now=START)
    assert not await ledger.record_event(session, platform="slack", event_id="Ev1", now=START)
    # Event ids are only unique within a platform.
    assert await ledger.record_event(session, platform="teams", event_id="Ev1", now=START)


async def test_an_event_is_recorded_once_across_transactions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as first, first.begin():
        assert await ledger.record_event(first, platform="slack", event_id="Ev2", now=START)
    async with sessions() as retry, retry.begin():
        assert not await ledger.record_event(retry, platform="slack", event_id="Ev2", now=START)


def test_an_event_id_is_kept_only_as_a_hash_that_needs_the_deployments_key() -> None:
    one, other = ledger.event_key("first-secret,older"), ledger.event_key("second-secret")
    kept = ledger.event_digest(one, "teams", "a:1personal-grace|1798981200001")
    assert "grace" not in kept and len(kept) == 64
    assert kept == ledger.event_digest(
        ledger.event_key("first-secret"), "teams", "a:1personal-grace|1798981200001"
    )
    assert kept != ledger.event_digest(other, "teams", "a:1personal-grace|1798981200001")
    assert kept != ledger.event_digest(None, "teams", "a:1personal-grace|1798981200001")
    assert ledger.event_key("") is None


async def test_enqueue_is_idempotent_by_key_within_a_workspace(session: AsyncSession) -> None:
    a, b = await workspace_id(session, "A"), await workspace_id(session, "B")
    assert await enqueue(session, a, "digest:2027-W01")
    assert not await enqueue(session, a, "digest:2027-W01")
    assert await enqueue(session, b, "digest:2027-W01")  # another tenant's own message
    count = select(func.count()).select_from(OutboxMessage)
    assert await session.scalar(count) == 2


async def test_a_claim_is_a_lease(session: AsyncSession) -> None:
    workspace = await workspace_id(session)
    await enqueue(session, workspace, "k1")

    [first] = await claim(session)
    assert (first.leased_until, first.claimed_at) == (START + LEASE, START)
    assert await claim(session) == []  # leased: a second claim in the same instant gets nothing
    assert await claim(session, START + LEASE - timedelta(seconds=1)) == []

    later = START + LEASE
    [again] = await outbox.claim_due_messages(  # the lease ran out: its worker died
        session, now=later, lease=LEASE, limit=10, platforms=PLATFORMS
    )
    assert again.message.id == first.id
    assert again.uncertain  # it may have gone out before its worker died
    assert again.message.claimed_at == START  # look for it from the first claim on
    assert again.message.attempts == 0  # nothing failed


async def test_only_due_messages_are_claimed(session: AsyncSession) -> None:
    workspace = await workspace_id(session)
    await enqueue(session, workspace, "later", not_before=START + timedelta(hours=1))
    assert await claim(session) == []
    assert [m.idempotency_key for m in await claim(session, START + timedelta(hours=1))] == [
        "later"
    ]


async def test_sent_and_failed_messages_are_not_claimed_again(session: AsyncSession) -> None:
    workspace = await workspace_id(session)
    await enqueue(session, workspace, "sent")
    await enqueue(session, workspace, "failed")
    await enqueue(session, workspace, "retry")
    claimed = {m.idempotency_key: m.id for m in await claim(session)}
    await outbox.mark_sent(session, message_id=claimed["sent"], platform_message_id="m1", now=START)
    await outbox.mark_failed(session, message_id=claimed["failed"], error="channel_not_found")
    later = START + timedelta(seconds=30)
    await outbox.mark_retry(session, message_id=claimed["retry"], available_at=later, error="429")

    assert await claim(session, START + timedelta(seconds=29)) == []
    assert [m.idempotency_key for m in await claim(session, later)] == ["retry"]


async def test_a_message_waits_while_an_earlier_one_to_its_conversation_waits(
    session: AsyncSession,
) -> None:
    workspace = await workspace_id(session)
    for key in ("page 1", "page 2", "page 3"):
        await enqueue(session, workspace, key, target="C1")
    await enqueue(session, workspace, "elsewhere", target="C2")
    first = await claim(session, limit=1)
    assert [m.idempotency_key for m in first] == ["page 1"]
    # Page 1 is out with a worker: pages 2 and 3 wait for it, other conversations do not.
    assert [m.idempotency_key for m in await claim(session)] == ["elsewhere"]
    later = START + timedelta(seconds=30)
    await outbox.mark_retry(session, message_id=first[0].id, available_at=later, error="429")
    assert await claim(session, START + timedelta(seconds=29)) == []
    for page in ("page 1", "page 2", "page 3"):  # one at a time, in the order written
        [claimed] = await claim(session, later)
        assert claimed.idempotency_key == page
        await outbox.mark_sent(session, message_id=claimed.id, platform_message_id=page, now=later)


async def test_only_reachable_platforms_are_claimed(session: AsyncSession) -> None:
    workspace = await workspace_id(session)
    await enqueue(session, workspace, "k1")
    claimed = await outbox.claim_due_messages(
        session, now=START, lease=LEASE, limit=10, platforms=("teams",)
    )
    assert list(claimed) == []


async def test_concurrent_claims_take_disjoint_rows(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Two workers (two replicas on PostgreSQL) never hold the same message."""
    async with sessions() as setup, setup.begin():
        workspace = await workspace_id(setup)
        for number in range(10):  # ten conversations: one's messages go to one worker at a time
            await enqueue(setup, workspace, f"k{number}", target=f"C{number}")

    async with sessions() as first, sessions() as second:
        await first.begin()
        mine = await claim(first, limit=5)
        await second.begin()
        theirs_task = asyncio.create_task(claim(second, limit=10))
        if first.get_bind().dialect.name == "postgresql":
            # The first worker's rows are locked: the second skips them, it does not wait.
            theirs = await asyncio.wait_for(theirs_task, timeout=10)
            await first.commit()
        else:
            # SQLite has one writer: the second waits for the first and sees its leases.
            await asyncio.sleep(0.2)
            await first.commit()
            theirs = await asyncio.wait_for(theirs_task, timeout=20)
        await second.commit()

    mine_ids = {m.id for m in mine}
    theirs_ids = {m.id for m in theirs}
    assert len(mine_ids) == 5
    assert len(theirs_ids) == 5
    assert not mine_ids & theirs_ids


async def test_a_later_message_never_overtakes_an_earlier_one_of_its_conversation(
    session: AsyncSession,
) -> None:
    workspace = await workspace_id(session)
    for key in ("first", "second", "third"):
        await enqueue(session, workspace, key, target="C1")
    await enqueue(session, workspace, "elsewhere", target="C2")
    await enqueue(session, workspace, "to a person", target="C1")  # same id, other audience...
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.idempotency_key == "to a person")
        .values(audience="person")
    )

    heads = {m.idempotency_key: m.id for m in await claim(session)}
    assert set(heads) == {"first", "elsewhere", "to a person"}
    # "first" is rate limited: the rest of C1 waits behind it, however due they are.
    later = START + timedelta(seconds=30)
    await outbox.mark_retry(session, message_id=heads["first"], available_at=later, error="429")
    assert await claim(session, START + timedelta(seconds=29)) == []
    [first] = await claim(session, later)
    assert first.idempotency_key == "first"
    await outbox.mark_sent(session, message_id=first.id, platform_message_id="m1", now=later)
    [second] = await claim(session, later)
    assert second.idempotency_key == "second"
    # A dead letter does not hold its conversation up for good.
    await outbox.mark_failed(session, message_id=second.id, error="gone")
    assert [m.idempotency_key for m in await claim(session, later)] == ["third"]


async def test_a_worker_alive_keeps_its_lease_and_dead_letters_can_be_retried(
    session: AsyncSession,
) -> None:
    workspace = await workspace_id(session)
    await enqueue(session, workspace, "held")
    await enqueue(session, workspace, "gone")
    claimed = {m.idempotency_key: m.id for m in await claim(session)}
    await outbox.renew_leases(session, ids=[claimed["held"]], until=START + 2 * LEASE)
    await outbox.mark_failed(
        session, message_id=claimed["gone"], error="channel_not_found", reason=DeadReason.REFUSED
    )
    assert await claim(session, START + LEASE) == []  # renewed: still this worker's
    assert await dead_letters.dead_letters(session) == {("slack", "refused"): 1}
    [dead] = await dead_letters.unsent_messages(session, dead=True)
    assert (dead.id, dead.reason, dead.error) == (claimed["gone"], "refused", "channel_not_found")
    assert await dead_letters.unsent_messages(session, dead=True, workspace="elsewhere") == []

    assert await dead_letters.revive(session, now=START + LEASE, ids=[claimed["gone"]]) == 1
    assert await dead_letters.dead_letters(session) == {}
    [again] = await claim(session, START + LEASE)
    assert again.idempotency_key == "gone" and again.attempts == 0
