"""When retrospectives open, remind and close, in each team's own timezone. Pure functions.

The ``quarterly`` default opens on the Monday between the 17th and the 23rd of a quarter's last
month (one to two weeks before the quarter ends), at 10:00 team time, so people have the quarter
fresh in mind and a week to answer before it ends. It closes at 17:00 on the fifth working day
after opening, with gentle private reminders at 10:00 on the second and fourth working days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

QUARTERLY = "quarterly"
MIN_GAP = timedelta(days=7)
OPEN_HOUR = time(10, 0)
CLOSE_HOUR = time(17, 0)
WORKING_DAYS_OPEN = 5
REMINDER_DAYS = (2, 4)


class ScheduleError(ValueError):
    """A schedule that is not a crontab expression, or that would fire too often."""


def retro_trigger(schedule: str, timezone: str) -> CronTrigger:
    """The trigger that opens a team's retrospectives."""
    zone = ZoneInfo(timezone)
    if schedule == QUARTERLY:
        return CronTrigger(
            month="3,6,9,12", day="17-23", day_of_week="mon", hour=10, minute=0, timezone=zone
        )
    return CronTrigger.from_crontab(schedule, timezone=zone)


def digest_trigger(timezone: str) -> CronTrigger:
    """Monday 09:00 in the lead's timezone."""
    return CronTrigger(day_of_week="mon", hour=9, minute=0, timezone=ZoneInfo(timezone))


def check_schedule(schedule: str, timezone: str, now: datetime) -> str:
    """Return the schedule to store, refusing nonsense and anything more often than weekly."""
    text = " ".join(schedule.split())
    if text.casefold() == QUARTERLY:
        return QUARTERLY
    if len(text.split()) != 5:
        raise ScheduleError(text)
    try:
        trigger = retro_trigger(text, timezone)
    except ValueError as error:
        raise ScheduleError(text) from error
    upcoming = fire_times(trigger, now, now + timedelta(days=400), limit=6)
    if not upcoming:
        raise ScheduleError(text)
    gaps = [later - earlier for earlier, later in pairwise(upcoming)]
    if any(gap < MIN_GAP for gap in gaps):
        raise ScheduleError(text)
    return text


def fire_times(
    trigger: CronTrigger, after: datetime, until: datetime, *, limit: int = 1000
) -> list[datetime]:
    """Every fire time t with after < t <= until, oldest first."""
    found: list[datetime] = []
    cursor = after + timedelta(microseconds=1)
    while len(found) < limit:
        moment = trigger.get_next_fire_time(None, cursor)
        if moment is None or moment > until:
            break
        found.append(moment)
        cursor = moment + timedelta(seconds=1)
    return found


def next_fire_time(trigger: CronTrigger, after: datetime) -> datetime | None:
    times = fire_times(trigger, after, after + timedelta(days=800), limit=1)
    return times[0] if times else None


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``."""
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def at_local(day: date, hour: time, timezone: str) -> datetime:
    """``hour`` on ``day`` in ``timezone``, as an aware datetime."""
    return datetime.combine(day, hour, tzinfo=ZoneInfo(timezone))


def deadline(opened_at: datetime, timezone: str) -> datetime:
    """17:00 team time on the fifth working day after the opening day."""
    local_day = opened_at.astimezone(ZoneInfo(timezone)).date()
    return at_local(add_working_days(local_day, WORKING_DAYS_OPEN), CLOSE_HOUR, timezone)


def reminder_times(opened_at: datetime, closes_at: datetime, timezone: str) -> list[datetime]:
    """10:00 team time on the second and fourth working days, if still before the deadline."""
    local_day = opened_at.astimezone(ZoneInfo(timezone)).date()
    times = [at_local(add_working_days(local_day, n), OPEN_HOUR, timezone) for n in REMINDER_DAYS]
    return [t for t in times if opened_at < t < closes_at]


def cycle_title(opened_at: datetime, timezone: str, schedule: str | None) -> str:
    local = opened_at.astimezone(ZoneInfo(timezone))
    if schedule == QUARTERLY:
        return f"Q{(local.month - 1) // 3 + 1} {local.year} retrospective"
    return f"retrospective of {local.day} {local:%B %Y}"


def local_label(moment: datetime, timezone: str) -> str:
    """A time as a person in ``timezone`` reads it: ``Mon 22 Mar, 17:00 (Europe/Berlin)``."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({timezone})"
