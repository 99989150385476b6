"""An opening with nobody to ask, or one person, says so plainly."""

from datetime import UTC, datetime, timedelta

from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.retro import RetroCycle
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.rows import count
from tests.support.transcripts import ANY, shows

NOBODY_TO_ASK = texts.nobody_to_ask("Checkout", to_lead=False)


async def test_a_lead_who_starts_one_in_an_empty_channel_hears_what_to_do(database_url):
    directory = FakeDirectory(members={"C1": []})
    bot = await Harness.start(database_url, directory=directory)
    try:
        await bot.say("/okr team create Checkout tz=Europe/Berlin")
        await bot.say("/retro start")
        await bot.tick()
        [told] = bot.port.sent
        assert told.target == "@U1"
        assert told.reply.text == texts.nobody_to_ask("Checkout", to_lead=True)
        assert bot.port.to("C1") == []
        assert await count(bot, RetroCycle) == 0
        assert cycle_texts.retro_status_unscheduled("Checkout") in await bot.say("/retro status")

        # Once people are invited, starting again opens it.
        directory.members["C1"] = ["U1", "U2"]
        bot.clock.advance(timedelta(minutes=5))
        await bot.say("/retro start")
        await bot.tick()
        [opening] = bot.port.to("C1")
        assert shows(
            opening.reply.text, cycle_texts.retro_opened_in_channel, "Checkout", ANY, ANY, 2
        )
    finally:
        await bot.close()


async def test_a_scheduled_opening_with_nobody_to_ask_tells_the_channel(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": []}))
    try:
        await bot.say("/okr team create Checkout tz=Europe/Berlin")
        await bot.say("/retro schedule quarterly")
        await bot.tick(datetime(2027, 3, 22, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
        [told] = [s for s in bot.port.sent if s.reply.text == NOBODY_TO_ASK]
        assert told.target == "C1"
        assert await count(bot, RetroCycle) == 0
        await bot.tick(datetime(2027, 3, 22, 9, 1, tzinfo=UTC))
        assert len([s for s in bot.port.sent if s.reply.text == NOBODY_TO_ASK]) == 1
    finally:
        await bot.close()


async def test_one_person_is_one_person(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": ["U1"]}))
    try:
        await bot.say("/okr team create Checkout")
        await bot.say("/retro start")
        await bot.tick()
        [opening] = bot.port.to("C1")
        assert shows(
            opening.reply.text, cycle_texts.retro_opened_in_channel, "Checkout", ANY, ANY, 1
        )
        assert "1 people" not in opening.reply.text
    finally:
        await bot.close()
