"""An opening with nobody to ask, or one person, says so plainly."""

from datetime import UTC, datetime, timedelta

from storage.retro import RetroCycle
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.rows import count


async def test_a_lead_who_starts_one_in_an_empty_channel_hears_what_to_do(database_url):
    directory = FakeDirectory(members={"C1": []})
    bot = await Harness.start(database_url, directory=directory)
    try:
        await bot.say("/okr team create Checkout tz=Europe/Berlin")
        await bot.say("/retro start")
        await bot.tick()
        [told] = bot.port.sent
        assert told.target == "@U1"
        assert "didn't open Checkout's retrospective" in told.reply.text
        assert "Invite the team's people to the channel" in told.reply.text
        assert "/retro start again" in told.reply.text
        assert bot.port.to("C1") == []
        assert await count(bot, RetroCycle) == 0
        assert "No retrospective is open" in await bot.say("/retro status")

        # Once people are invited, starting again opens it.
        directory.members["C1"] = ["U1", "U2"]
        bot.clock.advance(timedelta(minutes=5))
        await bot.say("/retro start")
        await bot.tick()
        [opening] = bot.port.to("C1")
        assert "I've asked each of the 2 people here" in opening.reply.text
    finally:
        await bot.close()


async def test_a_scheduled_opening_with_nobody_to_ask_tells_the_channel(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": []}))
    try:
        await bot.say("/okr team create Checkout tz=Europe/Berlin")
        await bot.say("/retro schedule quarterly")
        await bot.tick(datetime(2027, 3, 22, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
        [told] = [s for s in bot.port.sent if "retrospective" in s.reply.text]
        assert told.target == "C1"
        assert "nobody in its channel can answer" in told.reply.text
        assert "a lead can open it with /retro start" in told.reply.text
        assert await count(bot, RetroCycle) == 0
        await bot.tick(datetime(2027, 3, 22, 9, 1, tzinfo=UTC))
        assert len([s for s in bot.port.sent if "retrospective" in s.reply.text]) == 1
    finally:
        await bot.close()


async def test_one_person_is_one_person(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": ["U1"]}))
    try:
        await bot.say("/okr team create Checkout")
        await bot.say("/retro start")
        await bot.tick()
        [opening] = bot.port.to("C1")
        assert "I've asked the one person here a few questions privately" in opening.reply.text
        assert "1 people" not in opening.reply.text
    finally:
        await bot.close()
