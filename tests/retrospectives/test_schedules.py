"""Cron means cron: a lead's schedule fires when crontab(5) says, on the team's own clock."""

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from retrospectives import schedules
from retrospectives.cycles import texts as cycle_texts
from storage.core import Team
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.transcripts import ANY, shows

TOKYO = "Asia/Tokyo"
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(moments, zone):
    """Fire times as the team reads them: ``Mon 2027-03-22 10:00``."""
    return [f"{m.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M}" for m in moments]


def fires(schedule, zone, after, until, limit=1000):
    trigger = schedules.retro_trigger(schedule, zone)
    return schedules.fire_times(trigger, after, until, limit=limit)


def test_one_is_monday_not_tuesday():
    moments = fires("0 10 * * 1", TOKYO, utc(2027, 3, 16), utc(2027, 4, 1))
    assert local(moments, TOKYO) == ["Mon 2027-03-22 10:00", "Mon 2027-03-29 10:00"]
    assert moments[0] == utc(2027, 3, 22, 1, 0)


@pytest.mark.parametrize("sunday", ["0", "7", "sun", "SUN", "Sun"])
def test_sunday_is_zero_seven_or_its_name(sunday):
    moments = fires(f"0 10 * * {sunday}", BERLIN, utc(2027, 3, 15), utc(2027, 3, 29))
    assert local(moments, BERLIN) == ["Sun 2027-03-21 10:00", "Sun 2027-03-28 10:00"]


def test_month_names_lists_ranges_and_steps():
    year = (utc(2027, 1, 1), utc(2028, 1, 1))
    assert local(fires("0 9 1 */3 *", BERLIN, *year), BERLIN) == [
        "Fri 2027-01-01 09:00",
        "Thu 2027-04-01 09:00",
        "Thu 2027-07-01 09:00",
        "Fri 2027-10-01 09:00",
    ]
    assert local(fires("15 8 1 jan,jul *", BERLIN, *year), BERLIN) == [
        "Fri 2027-01-01 08:15",
        "Thu 2027-07-01 08:15",
    ]
    assert local(fires("0 10 * feb-mar/1 mon-fri/2", BERLIN, *year, limit=4), BERLIN) == [
        "Mon 2027-02-01 10:00",
        "Wed 2027-02-03 10:00",
        "Fri 2027-02-05 10:00",
        "Mon 2027-02-08 10:00",
    ]


def test_a_star_in_either_day_field_means_both_must_match():
    """``0 10 * jan mon``: Mondays of January only, since day-of-month is unrestricted."""
    moments = fires("0 10 * jan mon", BERLIN, utc(2027, 1, 1), utc(2028, 2, 1))
    assert local(moments, BERLIN) == [
        "Mon 2027-01-04 10:00",
        "Mon 2027-01-11 10:00",
        "Mon 2027-01-18 10:00",
        "Mon 2027-01-25 10:00",
        "Mon 2028-01-03 10:00",
        "Mon 2028-01-10 10:00",
        "Mon 2028-01-17 10:00",
        "Mon 2028-01-24 10:00",
        "Mon 2028-01-31 10:00",
    ]
    assert schedules.check_schedule("0 10 * jan mon", BERLIN, utc(2027, 1, 1)) == "0 10 * jan mon"


def test_both_day_fields_restricted_fire_on_either():
    """``0 10 1-7 * mon``: the 1st to the 7th, or any Monday; so more often than weekly."""
    moments = fires("0 10 1-7 * mon", BERLIN, utc(2027, 3, 1), utc(2027, 4, 2))
    assert [m.astimezone(ZoneInfo(BERLIN)).day for m in moments] == [
        *range(1, 8),  # the 1st to the 7th...
        8,  # ...and every Monday
        15,
        22,
        29,
        1,
    ]
    with pytest.raises(schedules.ScheduleError):
        schedules.check_schedule("0 10 1-7 * mon", BERLIN, utc(2027, 3, 1))


def test_the_quarterly_default_and_the_monday_digest():
    year = (utc(2027, 1, 1), utc(2028, 1, 1))
    quarterly = fires(schedules.QUARTERLY, BERLIN, *year)
    assert local(quarterly, BERLIN) == [
        "Mon 2027-03-22 10:00",
        "Mon 2027-06-21 10:00",
        "Mon 2027-09-20 10:00",
        "Mon 2027-12-20 10:00",
    ]
    digests = schedules.fire_times(
        schedules.digest_trigger(NEW_YORK), utc(2027, 3, 1), utc(2027, 3, 16)
    )
    # 09:00 in New York: EST (UTC-5) before 14 March, EDT (UTC-4) after.
    assert digests == [utc(2027, 3, 1, 14), utc(2027, 3, 8, 14), utc(2027, 3, 15, 13)]


@pytest.mark.parametrize(
    ("zone", "sunday", "skipped_to"),
    [
        (BERLIN, utc(2027, 3, 28), utc(2027, 3, 28, 1, 0)),  # 03:00 CEST
        (NEW_YORK, utc(2027, 3, 14), utc(2027, 3, 14, 7, 0)),  # 03:00 EDT
    ],
)
def test_a_time_the_clock_skips_fires_once_right_after_the_jump(zone, sunday, skipped_to):
    moments = fires("30 2 * * 0", zone, utc(2027, 3, 1), utc(2027, 4, 5))
    on_the_day = [m for m in moments if m.date() == sunday.date()]
    assert on_the_day == [skipped_to]
    assert len(moments) == 5  # every Sunday of March once, and 4 April
    assert {m.astimezone(ZoneInfo(zone)).strftime("%H:%M") for m in moments} == {
        "02:30",
        "03:00",
    }


def test_a_time_the_clock_passes_twice_fires_once_the_first_time():
    # Berlin falls back at 03:00 CEST on 31 October 2027: 02:30 comes at 00:30 and 01:30 UTC.
    berlin = fires("30 2 * * 0", BERLIN, utc(2027, 10, 30), utc(2027, 11, 1))
    assert berlin == [utc(2027, 10, 31, 0, 30)]
    # New York falls back at 02:00 EDT on 7 November 2027: 01:30 comes at 05:30 and 06:30 UTC.
    new_york = fires("30 1 * * 0", NEW_YORK, utc(2027, 11, 6), utc(2027, 11, 8))
    assert new_york == [utc(2027, 11, 7, 5, 30)]
    # A planner that last looked during the repeated hour does not fire it a second time.
    assert fires("30 1 * * 0", NEW_YORK, utc(2027, 11, 7, 6, 10), utc(2027, 11, 8)) == []
    # 02:30 in New York that night exists once (EST).
    assert fires("30 2 * * 0", NEW_YORK, utc(2027, 11, 6), utc(2027, 11, 8)) == [
        utc(2027, 11, 7, 7, 30)
    ]


@pytest.mark.parametrize(
    "nonsense",
    [
        "0 10 * * 8",
        "61 10 * * 1",
        "0 24 * * 1",
        "0 10 * * funday",
        "0 10 * *",
        "0 0 10 * * 1",  # six fields: cron has no seconds
        "every monday",
        "0 10 30 2 *",  # 30 February never comes
        "* * * * *",
        "0 10 * * 1-5",
        "0 10 1,5 * *",
        "0 */12 * * 1",
    ],
)
def test_nonsense_and_anything_more_often_than_weekly_is_refused(nonsense):
    with pytest.raises(schedules.ScheduleError):
        schedules.check_schedule(nonsense, TOKYO, utc(2027, 3, 1))


def test_a_schedule_is_stored_as_typed_with_spaces_tidied():
    assert schedules.check_schedule("  0  10 * *  sun ", TOKYO, utc(2027, 3, 1)) == "0 10 * * sun"
    assert schedules.check_schedule("Quarterly", TOKYO, utc(2027, 3, 1)) == schedules.QUARTERLY


@pytest.fixture
async def tokyo(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": ["U1", "U2"]}))
    await bot.say(f"/okr team create Kaizen tz={TOKYO}")  # on Monday 4 January 2027, 18:00
    yield bot
    await bot.close()


async def test_through_the_chat_monday_ten_in_tokyo_opens_it_and_tuesday_does_not(tokyo):
    answer = await tokyo.say("/retro schedule 0 10 * * 1")
    opens = "Mon 11 Jan, 10:00 (Asia/Tokyo)"
    assert answer == cycle_texts.schedule_set("Kaizen", "0 10 * * 1", opens)

    await tokyo.tick(utc(2027, 1, 5, 1, 0))  # Tuesday 10:00 in Tokyo
    assert tokyo.port.to("C1") == []
    await tokyo.tick(utc(2027, 1, 11, 0, 59))
    assert tokyo.port.to("C1") == []
    await tokyo.tick(utc(2027, 1, 11, 1, 0))  # Monday 10:00 in Tokyo
    [opening] = tokyo.port.to("C1")
    title = "retrospective of 11 January 2027"
    assert shows(opening.reply.text, cycle_texts.retro_opened_in_channel, "Kaizen", title, ANY, 2)


async def test_a_day_of_month_or_weekday_schedule_too_often_is_refused_in_chat(tokyo):
    await tokyo.say("/retro schedule 0 10 * * sun")
    answer = await tokyo.say("/retro schedule 0 10 1-7 * mon")
    assert answer == cycle_texts.SCHEDULE_USAGE
    status = await tokyo.say("/retro status")
    assert status == cycle_texts.retro_status_next("Kaizen", "Sun 10 Jan, 10:00 (Asia/Tokyo)")


async def test_a_stored_schedule_that_now_fires_too_often_is_not_planned(tokyo, caplog):
    # Stored when the day fields were ANDed ("the first Monday"); standard cron ORs them.
    async with tokyo.app.sessions() as session, session.begin():
        await session.execute(update(Team).values(retro_schedule="0 10 1-7 * mon"))

    assert cycle_texts.retro_status_unscheduled("Kaizen") in await tokyo.say("/retro status")
    with caplog.at_level(logging.ERROR, logger="retrospectives.cycles.jobs"):
        for day in range(5, 12):
            await tokyo.tick(utc(2027, 1, day, 1, 0))
    assert tokyo.port.to("C1") == []
    assert "'0 10 1-7 * mon'" in caplog.text
    assert "more often than weekly" in caplog.text
