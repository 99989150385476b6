"""Outbound messages: retried when the platform asks, never sent twice, picked up after a crash."""

import asyncio
import contextlib
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from adapters.console import CONSOLE
from adapters.slack.settings import SLACK
from bot.events import EventKind
from bot.replies import Audience, Delivery, Reply
from bot.runtime import outbox
from bot.runtime.outbox import LEASE, MAX_FAILING, backoff
from storage import core
from storage import outbox as outbox_rows
from storage.outbox import OutboxMessage, OutboxStatus
from storage.schedule import RunStatus, ScheduledRun
from tests.support.fakes import FakeChatPort, FakeDirectory
from tests.support.harness import Harness

CONCURRENCY = 16  # the worker's, as the composition builds it


async def raise_concern(bot):
    await bot.say("/okr team create Support")
    await bot.say("/okr concern Handle time: tickets closed early")


async def status(bot):
    async with bot.app.sessions() as session:
        return await session.scalar(select(OutboxMessage))


async def test_a_busy_platform_delays_the_message_but_does_not_drop_it(bot):
    await raise_concern(bot)
    bot.port.busy = 2
    assert await bot.deliver() == 0
    message = await status(bot)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1
    assert await bot.deliver() == 0  # Retry-After has not passed yet
    bot.clock.advance(timedelta(seconds=1))
    assert await bot.deliver() == 0  # busy once more
    bot.clock.advance(timedelta(seconds=1))
    assert await bot.deliver() == 1
    assert len(bot.port.sent) == 1
    assert (await status(bot)).status is OutboxStatus.SENT


async def test_a_message_the_platform_keeps_failing_is_a_dead_letter_after_a_day(bot):
    await raise_concern(bot)
    bot.port.busy = 1000
    started = bot.clock.now()
    while bot.clock.now() - started < MAX_FAILING - timedelta(minutes=10):
        await bot.deliver()
        bot.clock.advance(timedelta(minutes=10))
    assert (await status(bot)).status is OutboxStatus.PENDING  # many attempts, still trying
    bot.clock.advance(timedelta(minutes=20))
    await bot.deliver()
    message = await status(bot)
    assert message.status is OutboxStatus.FAILED
    assert message.dead_reason == "expired" and "rate limited" in message.last_error
    assert message.attempts > 100
    assert bot.port.sent == []


async def test_a_worker_that_died_after_claiming_leaves_the_message_to_another(bot):
    await raise_concern(bot)
    async with bot.app.sessions() as session, session.begin():
        claimed = await outbox_rows.claim_due_messages(
            session,
            now=bot.clock.now(),
            lease=timedelta(minutes=2),
            limit=10,
            platforms=["console"],
        )
        assert len(claimed) == 1
    # ...and that worker is gone. Until the lease runs out nobody else sends it.
    assert await bot.deliver() == 0
    bot.clock.advance(timedelta(minutes=2))
    assert await bot.deliver() == 1
    assert await bot.deliver() == 0
    assert len(bot.port.sent) == 1


def test_backoff_grows_and_is_capped():
    assert backoff(1) == timedelta(seconds=2)
    assert backoff(3) == timedelta(seconds=8)
    assert backoff(30) == timedelta(minutes=10)


async def test_a_process_leaves_other_platforms_work_to_processes_that_can_do_it(bot):
    async def on_slack(text):
        event = bot.event(EventKind.COMMAND, text=text, workspace="T1")
        return await bot.send(replace(event, platform=SLACK))

    await on_slack("/okr team create Support")
    await on_slack("/okr concern Speed: we rush")
    await on_slack("/retro start")
    report = await bot.tick()
    # This process can only reach the console: the Slack work waits, untouched, for a
    # process connected to Slack, instead of being marked failed.
    assert (report.performed, report.delivered) == (0, 0)
    message = await status(bot)
    assert message.status is OutboxStatus.PENDING and message.attempts == 0
    async with bot.app.sessions() as session:
        run = await session.scalar(select(ScheduledRun))
    assert run.status is RunStatus.PENDING


class OverlapPort(FakeChatPort):
    """A platform that answers after a pause, noting which sends were in flight together."""

    def __init__(self):
        super().__init__()
        self.in_flight: set[str] = set()
        self.overlaps: list[set[str]] = []

    async def send_direct(self, workspace_id, user_id, reply):
        self.in_flight.add(user_id)
        self.overlaps.append(set(self.in_flight))
        await asyncio.sleep(0.01)
        self.in_flight.discard(user_id)
        return await super().send_direct(workspace_id, user_id, reply)


async def test_conversations_go_out_together_and_each_keeps_its_order(database_url):
    port = OverlapPort()
    bot = await Harness.start(database_url)
    bot.app.ports[CONSOLE] = port
    async with bot.app.sessions() as session, session.begin():
        workspace = await core.get_or_create_workspace(
            session, platform="console", external_id="W1", now=bot.clock.now()
        )
        for number in range(3):
            for person in ("U1", "U2", "U3", "U4"):
                await outbox.enqueue(
                    session,
                    workspace_id=workspace.id,
                    delivery=Delivery(
                        Audience.PERSON,
                        person,
                        Reply(f"{person} #{number}"),
                        key=f"{person}:{number}",
                    ),
                    now=bot.clock.now(),
                )
    assert await bot.deliver() == 12
    assert max(len(together) for together in port.overlaps) > 1  # sent side by side
    for person in ("U1", "U2", "U3", "U4"):
        assert [s.reply.text for s in port.to(f"@{person}")] == [f"{person} #{n}" for n in range(3)]
    await bot.close()


class HangingPort(FakeChatPort):
    """A platform that takes each message and then does not answer until told to."""

    def __init__(self):
        super().__init__()
        self.gate = asyncio.Event()

    async def send_direct(self, workspace_id, user_id, reply):
        message_id = await super().send_direct(workspace_id, user_id, reply)
        await self.gate.wait()
        return message_id


async def test_a_port_that_cannot_be_asked_repeats_at_most_the_sends_in_flight(database_url):
    """Teams cannot be asked whether a message went out: only the sends in flight may repeat."""
    port = HangingPort()
    bot = await Harness.start(database_url)
    bot.app.ports[CONSOLE] = port
    people = [f"U{n}" for n in range(40)]
    async with bot.app.sessions() as session, session.begin():
        workspace = await core.get_or_create_workspace(
            session, platform="console", external_id="W1", now=bot.clock.now()
        )
        for person in people:
            await outbox.enqueue(
                session,
                workspace_id=workspace.id,
                delivery=Delivery(Audience.PERSON, person, Reply("hi"), key=person),
                now=bot.clock.now(),
            )
    crashed = asyncio.ensure_future(bot.deliver())
    for _ in range(1000):
        if len(port.sent) >= CONCURRENCY:
            break
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    crashed.cancel()  # the worker dies with its sends in flight, unanswered and unrecorded
    await asyncio.gather(crashed, return_exceptions=True)
    in_flight = len(port.sent)
    assert in_flight == CONCURRENCY  # no more than the worker's concurrency at once

    port.gate.set()
    bot.clock.advance(LEASE)  # the lease of the dead worker runs out
    assert await bot.deliver() == len(people)
    assert {s.target for s in port.sent} == {f"@{p}" for p in people}
    assert len(port.sent) - len(people) == in_flight  # only those repeat
    await bot.close()


async def test_the_outbox_loop_delivers_without_the_scheduler(bot):
    await raise_concern(bot)  # the concern goes to the team's lead through the outbox
    counted: list[int] = []
    outbox_loop, _ = bot.app.loops(delivered=counted.append, interval=3600)
    running = asyncio.ensure_future(outbox_loop.run())
    try:
        for _ in range(500):
            if counted:
                break
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert len(bot.port.sent) == 1 and counted == [1]
    async with bot.app.sessions() as session:
        assert await session.scalar(select(ScheduledRun)) is None  # no run was planned
    message = await status(bot)
    assert message.status is OutboxStatus.SENT


async def rows_pending(bot: Harness) -> bool:
    async with bot.app.sessions() as session:
        found = await session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        return found.first() is not None


async def test_a_woken_loop_performs_a_due_run_and_wakes_the_outbox_loop(bot):
    bot.app.directories[CONSOLE] = FakeDirectory(members={"C1": ["U1", "U2"]})
    await bot.say("/okr team create Support")
    await bot.say("/retro start")
    outbox_loop, performing = bot.app.loops(delivered=lambda _: None, interval=3600)
    running = [asyncio.ensure_future(outbox_loop.run()), asyncio.ensure_future(performing.run())]
    try:
        for _ in range(500):
            # Sent, and recorded: the loops are stopped between steps, not in a commit.
            if len(bot.port.sent) == 3 and not await rows_pending(bot):
                break
            await asyncio.sleep(0.01)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    # The opening in the channel and a prompt for each person, without a tick of the scheduler.
    assert sorted(s.target for s in bot.port.sent) == ["@U1", "@U2", "C1"]
