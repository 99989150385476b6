"""Transcripts: an adaptation taken on with a date is asked about then and at the next retro."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.learning import Fate, FollowThrough
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness

MEMBERS = ["U1", "U2", "U3"]


@pytest.fixture
async def team(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": MEMBERS}))
    await bot.say("/okr team create Checkout tz=Europe/Berlin")
    yield bot
    await bot.close()


async def dm(bot, user, text):
    return await bot.say(text, user=user, channel=f"D{user}", direct=True)


async def adapted(team, *said):
    """Run a retrospective in which U2 answers only the adaptation question, with ``said``."""
    await team.say("/retro start")
    await team.tick()
    for text in said:
        for _ in range(3):
            await dm(team, "U2", "skip")
        await dm(team, "U2", text)
    await team.say("/retro close")
    await team.deliver()


async def fates(team):
    async with team.app.sessions() as session:
        return [f.fate for f in (await session.scalars(select(FollowThrough))).all()]


async def test_an_owner_and_a_date_bring_the_question_on_that_day(team):
    await adapted(team, "Interview five buyers before each experiment")
    [summary] = [m for m in team.port.to("C1") if "Give each adaptation an owner" in str(m.reply)]
    assert "A1: Interview five buyers before each experiment" in str(summary.reply)

    assert "I will ask you on 2027-01-20" in await team.say(
        "/retro adapt A1 mine by 2027-01-20", user="U2"
    )
    listed = await team.say("/retro adapt", user="U3")
    assert "A1 · open · a member looks after it · asked on 2027-01-20" in listed
    assert "U2" not in listed
    assert "you look after it" in await team.say("/retro adapt", user="U2")

    team.port.sent.clear()
    await team.tick(datetime(2027, 1, 20, 8, 59, tzinfo=UTC))
    assert team.port.to("@U2") == []
    await team.tick(datetime(2027, 1, 20, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
    [question] = team.port.to("@U2")
    assert "Did it happen?" in question.reply.text
    assert "/retro adapt A1 done" in question.reply.text
    await team.tick(datetime(2027, 1, 20, 9, 30, tzinfo=UTC))
    assert len(team.port.to("@U2")) == 1  # asked once

    assert "A1 is now done" in await team.say("/retro adapt A1 done", user="U3")
    assert await fates(team) == [Fate.DONE]
    ledger = await team.say("/okr ledger", user="U3")
    assert "1 done · 0 dropped · 0 open" in ledger


async def test_the_team_is_asked_in_its_channel_and_the_next_retro_decides(team):
    await adapted(team, "Pair on every refund bug")
    assert "The team looks after A1" in await team.say("/retro adapt A1 team by 2027-01-11")
    team.port.sent.clear()
    await team.tick(datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    [question] = team.port.to("C1")
    assert "Pair on every refund bug" in question.reply.text

    team.clock.advance(timedelta(days=90))
    await team.say("/retro start")
    await team.tick()
    prompt = [m for m in team.port.to("@U2") if m.reply.sections][-1]
    assert "keep it, change it or drop it" in prompt.reply.sections[0].text
    await dm(team, "U2", "We dropped it: it slowed fixes and found nothing")
    await team.say("/retro close")
    assert await fates(team) == [Fate.DROPPED]
    assert "0 done · 1 dropped · 0 open" in await team.say("/okr ledger")


async def test_only_the_teams_members_take_on_its_adaptations(team):
    await adapted(team, "Share the funnel every Friday")
    await team.say("/okr team create Payments", channel="C2", user="U9")
    assert "a team you are not in" in await team.say(
        "/retro adapt A1 mine", channel="C2", user="U9"
    )
    assert "no adaptation A7" in await team.say("/retro adapt A7 done")
    assert "/retro adapt A7 mine by" in await team.say("/retro adapt A1 maybe")
    assert "2027-01-20" not in await team.say("/retro adapt A1 mine by 2027-13-01")
    assert "has passed" in await team.say("/retro adapt A1 mine by 2026-12-01")
    assert "A1 · open" in await team.say("/retro adapt")
    assert "no adaptations yet" in await team.say("/retro adapt", channel="C2", user="U9")
