"""A lead's digest arrives at 09:00 in the lead's own timezone when the platform knows it."""

from datetime import UTC, datetime

from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness


def utc(*args):
    return datetime(*args, tzinfo=UTC)


async def digests(bot, lead):
    return [s for s in bot.port.to(f"@{lead}") if "weekly learning digest" in s.reply.text]


async def test_the_leads_own_timezone_wins_over_the_teams(database_url):
    people = FakeDirectory(timezones={"U1": "Asia/Kolkata", "U2": "Not/AZone"})
    bot = await Harness.start(database_url, directory=people)
    await bot.say("/okr team create Checkout tz=Europe/Berlin")
    await bot.say("/okr team lead @U2")
    # Monday 11 January 2027: 09:00 in Kolkata is 03:30 UTC; in Berlin 08:00 UTC.
    await bot.tick(utc(2027, 1, 11, 3, 29))
    assert await digests(bot, "U1") == []
    await bot.tick(utc(2027, 1, 11, 3, 30))
    assert len(await digests(bot, "U1")) == 1
    # U2's platform timezone is nonsense: U2 reads the digest on the team's (Berlin) time.
    assert await digests(bot, "U2") == []
    await bot.tick(utc(2027, 1, 11, 8, 0))
    assert len(await digests(bot, "U2")) == 1
    assert len(await digests(bot, "U1")) == 1
    await bot.close()
