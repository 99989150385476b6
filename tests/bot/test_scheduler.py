"""The scheduling engine: each team's clock, daylight saving, several replicas, exactly once."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

import retrospectives.cycles.jobs
from adapters.console import CONSOLE
from bot.clock import ManualClock, SystemClock
from bot.entry.app import build
from bot.entry.settings import Settings
from bot.ports import RetryLater
from bot.runtime.retrying import retry_wait
from bot.runtime.scheduler import Scheduler
from retrospectives.cycles import texts as cycle_texts
from storage.outbox import OutboxMessage
from storage.schedule import ScheduledRun
from tests.support.fakes import FakeChatPort, FakeDirectory
from tests.support.harness import Harness
from tests.support.times import START
from tests.support.transcripts import ANY, reply_text, shows


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def kinds(bot):
    """What the fake platform received, as (target, first words) pairs."""
    return [(s.target, " ".join(s.reply.text.split()[:3])) for s in bot.port.sent]


def first_question(sent):
    """Whether a sent message is someone's first question of a retrospective."""
    return shows(reply_text(sent.reply), cycle_texts.question_title, 1, ANY)


async def test_new_york_across_the_march_change_to_daylight_saving(database_url):
    members = FakeDirectory(members={"C1": ["U1", "U2"]})
    bot = await Harness.start(database_url, directory=members)
    bot.clock.set(utc(2027, 3, 1, 12, 0))
    await bot.say("/okr team create Growth tz=America/New_York")
    await bot.say("/retro schedule 0 10 1 3,6,9,12 *")  # 1 March, 1 June, ... at 10:00

    # Monday 8 March 09:00 EST is 14:00 UTC; after 14 March, 09:00 EDT is 13:00 UTC.
    await bot.tick(utc(2027, 3, 8, 13, 59))
    assert bot.port.sent == []
    await bot.tick(utc(2027, 3, 8, 14, 0))
    assert kinds(bot) == [("@U1", "Your weekly learning")]
    await bot.tick(utc(2027, 3, 15, 12, 59))
    assert len(bot.port.sent) == 1
    await bot.tick(utc(2027, 3, 15, 13, 0))
    assert len(bot.port.sent) == 2

    # 1 June 10:00 EDT is 14:00 UTC.
    await bot.tick(utc(2027, 6, 1, 13, 59))
    assert not [s for s in bot.port.sent if s.target == "C1"]
    await bot.tick(utc(2027, 6, 1, 14, 0))
    [opening] = [s for s in bot.port.sent if s.target == "C1"]
    assert "(America/New_York)" in opening.reply.text
    await bot.close()


async def test_three_teams_in_three_timezones_each_get_one_of_everything(database_url):
    members = FakeDirectory(members={"CB": ["UB", "UB2"], "CN": ["UN", "UN2"], "CT": ["UT"]})
    bot = await Harness.start(database_url, directory=members)
    for name, channel, lead, zone in [
        ("Berlin", "CB", "UB", "Europe/Berlin"),
        ("NewYork", "CN", "UN", "America/New_York"),
        ("Tokyo", "CT", "UT", "Asia/Tokyo"),
    ]:
        await bot.say(f"/okr team create {name} tz={zone}", channel=channel, user=lead)
        await bot.say("/retro schedule quarterly", channel=channel, user=lead)

    # Each team opens on Monday 22 March 2027 at 10:00 its own time.
    openings = {
        "CT": utc(2027, 3, 22, 1, 0),
        "CB": utc(2027, 3, 22, 9, 0),
        "CN": utc(2027, 3, 22, 14, 0),
    }
    for channel, moment in sorted(openings.items(), key=lambda pair: pair[1]):
        await bot.tick(moment)
        again = await bot.tick(moment)  # run-due twice at the same instant
        assert (again.performed, again.delivered) == (0, 0)
        assert len([s for s in bot.port.sent if s.target == channel]) == 1

    # Closing: Monday 29 March 17:00 local, after Berlin moved to summer time. The ticks
    # also cover each lead's Monday 09:00 (Tokyo's is 00:00 UTC).
    for moment in (
        utc(2027, 3, 29, 0, 0),
        utc(2027, 3, 29, 8, 0),
        utc(2027, 3, 29, 15, 0),
        utc(2027, 3, 29, 21, 0),
    ):
        await bot.tick(moment)
        await bot.tick(moment)
    for channel in openings:
        posts = [s.reply.text for s in bot.port.sent if s.target == channel]
        assert len(posts) == 2 and shows(posts[1], cycle_texts.summary_heading, ANY, ANY, 0, ANY)
    for lead in ("@UB", "@UN", "@UT"):
        received = [s for s in bot.port.to(lead) if "weekly learning digest" in s.reply.text]
        assert len(received) == 2  # Monday 22 and Monday 29 March, once each
    async with bot.app.sessions() as session:
        keys = (await session.scalars(select(OutboxMessage.idempotency_key))).all()
    # Each message once; those delivered more than the retention (7 days) ago are forgotten.
    assert len(keys) == len(set(keys)) and 0 < len(keys) < len(bot.port.sent)
    await bot.close()


async def test_two_replicas_racing_perform_each_run_once(database_url):
    members = FakeDirectory(members={f"C{i}": ["U1", "U2", "U3"] for i in range(6)})
    clock = ManualClock(utc(2027, 1, 4, 8, 0))
    replicas = [
        await build(
            Settings(database_url=database_url),
            clock=clock,
            ports={CONSOLE: FakeChatPort()},
            directories={CONSOLE: members},
            migrate=False,
        )
        for _ in range(2)
    ]
    first = replicas[0]
    bot = Harness(first, clock, first.ports[CONSOLE])
    for i in range(6):
        await bot.say(f"/okr team create Team{i}", channel=f"C{i}", user="U1")
        await bot.say("/retro start", channel=f"C{i}", user="U1")

    reports = await asyncio.gather(*(r.tick() for r in replicas))
    async with first.sessions() as session:
        runs = await session.scalar(
            select(func.count()).select_from(ScheduledRun).where(ScheduledRun.job == "retro.start")
        )
        messages = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert runs == 6
    assert sum(r.performed for r in reports) == 6  # each opening once, by one replica or the other
    assert sum(r.delivered for r in reports) == messages == 6 * 4
    sent = [s for r in replicas for s in r.ports[CONSOLE].sent]
    assert len(sent) == messages
    for r in replicas:
        await r.close()


async def test_catching_up_performs_what_is_due_but_plans_nothing(database_url):
    members = FakeDirectory(members={"C1": ["U1", "U2"]})
    bot = await Harness.start(database_url, directory=members)
    await bot.say("/okr team create Checkout")
    await bot.say("/retro schedule quarterly")
    await bot.say("/retro start")
    report = await bot.app.catch_up()
    assert (report.planned, report.performed, report.delivered) == (0, 1, 3)
    async with bot.app.sessions() as session:
        runs = (await session.scalars(select(ScheduledRun.job))).all()
    # The opening, its reminders and close were planned by the run; no digest, no schedule.
    assert sorted(runs) == ["retro.close", "retro.remind", "retro.remind", "retro.start"]
    await bot.close()


async def opening_runs(bot):
    opening = (retrospectives.cycles.jobs.OPEN_JOB, retrospectives.cycles.jobs.START_JOB)
    async with bot.app.sessions() as session:
        runs = await session.scalars(select(ScheduledRun).where(ScheduledRun.job.in_(opening)))
        return runs.all()


async def test_a_rate_limited_opening_waits_as_asked_and_is_never_given_up(database_url):
    members = FakeDirectory(members={"C1": ["U1", "U2"]})
    members.failures = [RetryLater("conversations.members: rate limited", 20.0)] * 12
    bot = await Harness.start(database_url, directory=members)
    await bot.say("/okr team create Checkout")
    await bot.say("/retro start")
    for seconds in range(0, 20 * 12, 20):  # twelve rate limits in a row, each waited out
        await bot.tick(START + timedelta(seconds=seconds))
        await bot.tick(START + timedelta(seconds=seconds + 19))  # too early: not tried
        assert [(r.status, r.attempts) for r in await opening_runs(bot)] == [("pending", 0)]
    assert len(members.failures) == 0
    await bot.tick(START + timedelta(seconds=20 * 12))
    assert [r.status for r in await opening_runs(bot)] == ["done"]
    assert sorted(s.target for s in bot.port.sent if first_question(s)) == [
        "@U1",
        "@U2",
    ]
    await bot.close()


async def test_a_failing_opening_backs_off_and_is_given_up_after_five_tries(database_url):
    members = FakeDirectory(members={"C1": ["U1"]})
    members.failures = [RuntimeError("an unexpected answer")] * 5
    bot = await Harness.start(database_url, directory=members)
    await bot.say("/okr team create Checkout")
    await bot.say("/retro start")
    moment = START
    for attempt in range(1, 6):
        await bot.tick(moment)
        [run] = await opening_runs(bot)
        assert run.attempts == min(attempt, 4) or run.status == "failed"
        wait = retry_wait(attempt)
        await bot.tick(moment + wait - timedelta(seconds=1))  # not before its wait is over
        assert len(members.failures) == 5 - attempt
        moment += wait
    [run] = await opening_runs(bot)
    assert run.status == "failed" and "gave up after 5 attempts" in (run.note or "")
    assert not [s for s in bot.port.sent if first_question(s)]
    await bot.close()


async def test_a_stop_lets_the_tick_under_way_finish_instead_of_cutting_it_off(database_url):
    bot = await Harness.start(database_url)
    entered, release, ended = asyncio.Event(), asyncio.Event(), []

    async def slow_chore(now):
        entered.set()
        await release.wait()  # a tick writing for a while when serve is told to stop
        ended.append(now)

    clock = SystemClock()  # APScheduler fires on the real time
    scheduler = Scheduler(bot.sessions, clock, {}, [], meter=bot.app.metrics, chores=[slow_chore])
    try:
        scheduler.start()  # its first tick starts at once
        await asyncio.wait_for(entered.wait(), 10)
        stopping = asyncio.create_task(scheduler.stop(within=10))
        await asyncio.sleep(0.2)
        assert not stopping.done()  # the stop waits for the tick
        release.set()
        await asyncio.wait_for(stopping, 10)
        assert len(ended) == 1  # the tick ran to its end, not cancelled midway
    finally:
        release.set()
        await scheduler.stop(within=1)
        await bot.close()
