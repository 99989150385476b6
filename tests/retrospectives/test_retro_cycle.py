"""A retrospective's life as people live it: opened on the team's clock, answered, closed."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.events import EventKind
from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.okr import ImpactStory, LearningStory, MetricConcern
from storage.outbox import OutboxMessage
from storage.retro import Adaptation, AnonymousAnswer, RetroAnswer, RetroCycle
from storage.schedule import RunStatus, ScheduledRun
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.rows import count
from tests.support.transcripts import ANY, shows

MEMBERS = ["U1", "U2", "U3", "U4"]
Q1 = "Q1 2027 retrospective"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def team(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": MEMBERS}))
    await bot.say("/okr team create Checkout tz=Europe/Berlin")
    yield bot
    await bot.close()


async def dm(bot, user, text):
    return await bot.say(text, user=user, channel=f"D{user}", direct=True)


def retro_messages(bot):
    return [s for s in bot.port.sent if "weekly learning digest" not in s.reply.text]


def digests(bot):
    return [s for s in bot.port.sent if "weekly learning digest" in s.reply.text]


async def test_a_whole_quarter(team):
    answer = await team.say("/retro schedule quarterly")
    # 2027: the Monday between the 17th and the 23rd of March, 10:00 in Berlin.
    assert (
        cycle_texts.schedule_set("Checkout", "quarterly", "Mon 22 Mar, 10:00 (Europe/Berlin)")
        in answer
    )

    await team.tick(utc(2027, 3, 22, 8, 59))
    assert retro_messages(team) == []
    # ...but the lead's digest came at 09:00 Berlin time (08:00 UTC), as every Monday.
    assert [d.target for d in digests(team)] == ["@U1"]
    report = await team.tick(utc(2027, 3, 22, 9, 0))  # 10:00 in Berlin (UTC+1)
    assert report.performed == 1 and report.delivered == 5
    [opening] = team.port.to("C1")
    deadline = "Mon 29 Mar, 17:00 (Europe/Berlin)"
    assert opening.reply.text == cycle_texts.retro_opened_in_channel("Checkout", Q1, deadline, 4)
    for person in MEMBERS:
        [prompt] = [s for s in retro_messages(team) if s.target == f"@{person}"]
        assert prompt.reply.sections[0].title == cycle_texts.question_title(1, 5)
        assert "bet on" in prompt.reply.sections[0].text

    # U2 answers everything in conversation, one question at a time.
    answered = await dm(team, "U2", "We bet one-page checkout lifts completion")
    assert cycle_texts.question_title(2, 5) in answered
    await dm(team, "U2", "It did not: length was never the problem, trust was")
    await dm(team, "U2", "Returning buyers now use saved addresses instead of retyping")
    await dm(team, "U2", "Test trust badges before touching the layout again")
    assert cycle_texts.all_answered(Q1) in await dm(team, "U2", "no")
    # U3 goes anonymous, skips one and answers two.
    assert cycle_texts.now_anonymous(3) in await dm(team, "U3", "anonymous")
    assert cycle_texts.question_title(2, 5) in await dm(team, "U3", "skip")
    await dm(team, "U3", "Failing fast on the badge test saved us a month")
    # U1 answers once; U4 says nothing at all.
    await dm(team, "U1", "Completion, mostly")
    status = await team.say("/retro status", user="U4")
    assert shows(status, cycle_texts.retro_status_open, Q1, ANY, 3, 4)
    assert "U2" not in status and "U3" not in status

    team.port.sent.clear()
    # Wednesday 10:00 Berlin: a private reminder, only to those who have not finished.
    report = await team.tick(utc(2027, 3, 24, 9, 0))
    assert sorted(s.target for s in team.port.sent) == ["@U1", "@U3", "@U4"]
    assert all(
        shows(s.reply.text, cycle_texts.reminder, "Checkout", Q1, ANY) for s in team.port.sent
    )
    await team.tick(utc(2027, 3, 26, 9, 0))  # Friday: the second and last reminder
    assert len(team.port.sent) == 6
    await team.tick(utc(2027, 3, 29, 8, 0))  # Monday: no third reminder...
    assert len(retro_messages(team)) == 6
    # ...and the digest at 09:00 Berlin, now summer time: 07:00 UTC.
    [monday] = digests(team)
    assert "Checkout" in monday.reply.text

    # Close: Monday 29 March 17:00 in Berlin, which is summer time (UTC+2) by then.
    await team.tick(utc(2027, 3, 29, 14, 59))
    assert await count(team, RetroCycle, RetroCycle.status == "open") == 1
    await team.tick(utc(2027, 3, 29, 15, 0))
    [summary] = team.port.to("C1")[-1:]
    assert cycle_texts.summary_heading("Checkout", Q1, 3, 4) in summary.reply.text
    assert len(digests(team)) == 1
    body = "\n".join(s.text for s in summary.reply.sections)
    assert "trust was" in body
    # Only U3 answered anonymously: shown beside U1's and U2's, it would be known as U3's.
    assert "saved us a month" not in body
    assert cycle_texts.anonymous_withheld(3) in body
    assert "U2" not in body and "U3" not in body

    assert await count(team, LearningStory) == 1
    assert await count(team, ImpactStory) == 1
    assert await count(team, Adaptation) == 1
    assert await count(team, MetricConcern) == 0  # "no" is not a concern
    assert await count(team, AnonymousAnswer) == 1  # kept, unseen

    # Doing it all again at the same instant sends nothing new.
    before = await count(team, OutboxMessage)
    report = await team.tick(utc(2027, 3, 29, 15, 0))
    assert (report.planned, report.performed, report.delivered) == (0, 0, 0)
    assert await count(team, OutboxMessage) == before


async def test_next_quarter_asks_about_last_quarters_adaptations(team):
    await team.say("/retro start")
    await team.tick()
    for _ in range(3):
        await dm(team, "U2", "skip")
    await dm(team, "U2", "Interview five buyers before each experiment")
    await team.say("/retro close")

    team.clock.advance(timedelta(days=90))
    team.port.sent.clear()
    await team.say("/retro start")
    await team.tick()
    # U2's first prompt of the new quarter (conversations are delivered side by side).
    prompt = next(m for m in retro_messages(team) if m.target == "@U2" and m.reply.sections)
    assert prompt.reply.sections[0].title == cycle_texts.question_title(1, 6)
    assert "Interview five buyers before each experiment" in prompt.reply.sections[0].text
    await dm(team, "U2", "Done twice; it changed what we built")
    await team.say("/retro close")
    async with team.app.sessions() as session:
        adaptation = await session.scalar(select(Adaptation))
    assert adaptation.follow_up == "Done twice; it changed what we built"


async def test_only_leads_start_and_close_and_a_second_start_is_refused(team):
    refused = texts.only_leads("Checkout", ["U1"])
    assert refused in await team.say("/retro start", user="U2")
    assert cycle_texts.retro_starting("Checkout") in await team.say("/retro start")
    await team.tick()
    assert shows(await team.say("/retro start"), cycle_texts.retro_already_open, "Checkout", ANY)
    assert refused in await team.say("/retro close", user="U2")
    assert shows(await team.say("/retro close"), cycle_texts.retro_closing, ANY)
    assert cycle_texts.RETRO_NOT_OPEN in await team.say("/retro close")


async def test_few_answers_keep_anonymous_ones_out_of_the_summary(team):
    await team.say("/retro start")
    await team.tick()
    await dm(team, "U3", "anonymous")
    await dm(team, "U3", "We bet on a loyalty scheme and nobody used it")
    await dm(team, "U2", "We bet on faster delivery")
    await team.say("/retro close")
    await team.deliver()
    [summary] = team.port.to("C1")[-1:]
    text = summary.reply.text + "\n".join(s.text for s in summary.reply.sections)
    assert "faster delivery" in text
    assert "loyalty" not in text
    assert cycle_texts.anonymous_withheld(3) in text
    # The anonymous answer is kept (for export), just not shown.
    assert await count(team, RetroAnswer) == 1
    assert await count(team, AnonymousAnswer) == 1


async def test_an_answer_after_the_close_is_kept_as_a_story(team):
    await team.say("/retro start")
    await team.tick()
    await team.say("/retro close")
    answer = await dm(team, "U4", "Sorry I'm late: the checkout test taught us to ask first")
    assert shows(answer, cycle_texts.late_answer_kept, ANY)
    async with team.app.sessions() as session:
        story = await session.scalar(select(LearningStory))
    assert story.text.startswith("Sorry I'm late")
    assert story.source.value == "retro"
    # A further message is not a retrospective answer any more.
    assert "/okr help" in await dm(team, "U4", "hello?")


async def test_the_form_records_the_same_answers_as_the_conversation(team):
    await team.say("/retro start")
    await team.tick()
    [prompt] = [s for s in retro_messages(team) if s.target == "@U2"]
    [button] = prompt.reply.buttons
    opened = await team.send(
        team.event(
            EventKind.BUTTON,
            user="U2",
            channel="DU2",
            direct=True,
            action_id=button.action_id,
            action_value=button.value,
        )
    )
    form = opened.replies[0].form
    assert [i.name for i in form.inputs][:2] == ["bet", "learned"]
    outcome = await team.send(
        team.event(
            EventKind.FORM_SUBMISSION,
            user="U2",
            channel="DU2",
            form_id=form.form_id,
            form_context=form.context,
            form_values={"bet": "Fewer fields", "learned": "Trust matters more", "anonymous": "no"},
        )
    )
    assert shows(outcome.replies[0].text, cycle_texts.all_answered, ANY)
    async with team.app.sessions() as session:
        answers = (await session.scalars(select(RetroAnswer).order_by(RetroAnswer.id))).all()
    assert [(a.question_key, a.text, a.author_id) for a in answers] == [
        ("bet", "Fewer fields", "U2"),
        ("learned", "Trust matters more", "U2"),
    ]
    # Someone who was not asked cannot use the form of this retrospective.
    stranger = await team.send(
        team.event(
            EventKind.FORM_SUBMISSION,
            user="U9",
            form_id=form.form_id,
            form_context=form.context,
            form_values={"bet": "x"},
        )
    )
    assert cycle_texts.NOT_YOUR_RETRO in stranger.replies[0].text


async def test_work_missed_during_downtime_is_skipped_but_a_deadline_is_kept(team):
    await team.say("/retro schedule quarterly")
    await team.tick(utc(2027, 3, 22, 8, 0))
    # okrbot was down from Monday 09:00 UTC until Monday 20:00 UTC: the opening is too late.
    report = await team.tick(utc(2027, 3, 22, 20, 0))
    assert report.skipped == 1 and retro_messages(team) == []
    assert await runs(team, "retro.open") == [RunStatus.SKIPPED]

    await team.say("/retro start")
    await team.tick()
    # Down again until Monday 5 April 12:00 UTC: the reminders are skipped, this Monday's
    # digest (5 hours late) still goes out, and the close happens. The gap is longer than a
    # week, so last Monday's digest is not even planned.
    await team.tick(utc(2027, 4, 5, 12, 0))
    assert await runs(team, "retro.remind") == [RunStatus.SKIPPED, RunStatus.SKIPPED]
    assert await runs(team, "retro.close") == [RunStatus.DONE]
    assert await runs(team, "digest.weekly") == [RunStatus.DONE, RunStatus.DONE]
    assert await count(team, RetroCycle, RetroCycle.status == "closed") == 1


async def runs(bot, job):
    async with bot.app.sessions() as session:
        found = await session.scalars(
            select(ScheduledRun).where(ScheduledRun.job == job).order_by(ScheduledRun.due_at)
        )
        return [run.status for run in found]


async def test_a_bad_schedule_is_refused_kindly(team):
    for bad in ("* * * * *", "every day", "0 10 * * 1,3", "61 10 * * 1"):
        answer = await team.say(f"/retro schedule {bad}")
        assert cycle_texts.SCHEDULE_USAGE in answer, bad
    refused = await team.say("/retro schedule quarterly", user="U2")
    assert texts.only_leads("Checkout", ["U1"]) in refused
    assert cycle_texts.SCHEDULE_USAGE in await team.say("/retro schedule")
    every_quarter = await team.say("/retro schedule 0 9 1 */3 *")
    assert shows(every_quarter, cycle_texts.schedule_set, "Checkout", "0 9 1 */3 *", ANY)
    assert cycle_texts.SCHEDULE_OFF in await team.say("/retro schedule off")
    assert cycle_texts.retro_status_unscheduled("Checkout") in await team.say("/retro status")


async def test_members_are_the_people_seen_in_the_channel_on_the_console(database_url):
    bot = await Harness.start(database_url)  # no directory: the console's own member list
    await bot.say("/okr team create Support", user="U1")
    await bot.say("/story learning learned: people read the FAQ first", user="U5")
    await bot.say("lunch?", user="U6")  # seen too, though not talking to the bot
    await bot.say("/okr help", user="U7", channel="C2")  # another channel
    await bot.say("/retro start")
    await bot.tick()
    assert sorted(s.target for s in bot.port.sent if s.target.startswith("@")) == [
        "@U1",
        "@U5",
        "@U6",
    ]
    await bot.close()
