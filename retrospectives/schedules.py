"""When retrospectives open, remind and close, in each team's own timezone. Pure functions.

The ``quarterly`` default opens on the Monday between the 17th and the 23rd of a quarter's last
month (one to two weeks before the quarter ends), at 10:00 team time, so people have the quarter
fresh in mind and a week to answer before it ends. It closes at 17:00 on the fifth working day
after opening, with gentle private reminders at 10:00 on the second and fourth working days.

A lead's own schedule is a crontab expression with standard (Vixie, POSIX) semantics: Sunday is
0 or 7, names such as ``mon`` and ``jan`` work, and when both day-of-month and day-of-week are
restricted a day matching either one fires. cronsim reads it: it aims to match Debian's cron
(Vixie's) including around DST changes, and is typed, small and without dependencies. croniter
would also do, but needs python-dateutil and does not aim at Debian's DST behaviour. APScheduler
3's crontab parser counts weekdays from Monday and ANDs the two day fields (kept so in 3.x), so
APScheduler only ticks (bot.runtime.scheduler).

Daylight saving follows Debian's cron: a time the clock skips (02:30 on the night it springs
forward) fires once, at the first minute that exists after it (03:00); a time the clock passes
twice (01:30 in New York on the night it falls back) fires once, the first time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

QUARTERLY = "quarterly"
MIN_GAP = timedelta(days=7)
OPEN_HOUR = time(10, 0)
CLOSE_HOUR = time(17, 0)
WORKING_DAYS_OPEN = 5
REMINDER_DAYS = (2, 4)
MONDAY = 0
# Standard cron ORs the day fields, so "Monday between the 17th and the 23rd" is the days and
# a weekday on top (Trigger.weekday).
QUARTERLY_CRON = "0 10 17-23 3,6,9,12 *"
DIGEST_CRON = "0 9 * * mon"


class ScheduleError(ValueError):
    """A schedule that is not a crontab expression, or that would fire too often."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """A five-field crontab expression read in a timezone, with standard cron semantics."""

    expression: str
    zone: ZoneInfo
    weekday: int | None = field(default=None, kw_only=True)
    """Fire only on this local weekday (0 = Monday): the AND standard cron cannot say."""

    def __post_init__(self) -> None:
        if len(self.expression.split()) != 5:
            raise ScheduleError(self.expression)
        try:
            CronSim(self.expression, datetime(2000, 1, 1, tzinfo=self.zone))
        except CronSimError as error:
            raise ScheduleError(self.expression) from error

    def fire_times(self, after: datetime, until: datetime, *, limit: int) -> list[datetime]:
        """Every fire time t with after < t <= until, in UTC, oldest first, at most ``limit``."""
        found: list[datetime] = []
        # cronsim walks the team's wall clock, so a time the clock passes twice comes back once,
        # as its first instant, which may lie before ``after``: hence the filter.
        moments = CronSim(self.expression, after.astimezone(self.zone))
        while len(found) < limit:
            wall = next(moments, None)  # None: nothing in the next 50 years
            if wall is None:
                break
            # In UTC: Python never finds an instant in a repeated hour equal to one elsewhere.
            moment = wall.astimezone(UTC)
            if moment > until:
                break
            if moment > after and self.weekday in (None, wall.weekday()):
                found.append(moment)
        return found


def retro_trigger(schedule: str, timezone: str) -> Trigger:
    """The trigger that opens a team's retrospectives."""
    zone = ZoneInfo(timezone)
    if schedule == QUARTERLY:
        return Trigger(QUARTERLY_CRON, zone, weekday=MONDAY)
    return Trigger(schedule, zone)


def digest_trigger(timezone: str) -> Trigger:
    """Monday 09:00 in the lead's timezone."""
    return Trigger(DIGEST_CRON, ZoneInfo(timezone))


def check_schedule(schedule: str, timezone: str, now: datetime) -> str:
    """Return the schedule to store, refusing nonsense and anything more often than weekly."""
    text = " ".join(schedule.split())
    if text.casefold() == QUARTERLY:
        return QUARTERLY
    upcoming = fire_times(retro_trigger(text, timezone), now, now + timedelta(days=400), limit=6)
    if not upcoming:
        raise ScheduleError(text)
    gaps = [later - earlier for earlier, later in pairwise(upcoming)]
    if any(gap < MIN_GAP for gap in gaps):
        raise ScheduleError(text)
    return text


def fire_times(
    trigger: Trigger, after: datetime, until: datetime, *, limit: int = 1000
) -> list[datetime]:
    """Every fire time t with after < t <= until, oldest first."""
    return trigger.fire_times(after, until, limit=limit)


def next_fire_time(trigger: Trigger, after: datetime) -> datetime | None:
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


NOTICE_HOUR = time(9, 0)


def concern_notice_time(raised_on: date, timezone: str) -> datetime:
    """When leads hear of an anonymous concern: the first 09:00 in the team's zone after its
    UTC day has ended, so that every concern of a day arrives together, whatever its hour."""
    day_over = datetime.combine(raised_on + timedelta(days=1), time(0), tzinfo=UTC)
    local_day = day_over.astimezone(ZoneInfo(timezone)).date()
    notice = at_local(local_day, NOTICE_HOUR, timezone)
    return (
        notice
        if notice >= day_over
        else at_local(local_day + timedelta(days=1), NOTICE_HOUR, timezone)
    )


def local_label(moment: datetime, timezone: str) -> str:
    """A time as a person in ``timezone`` reads it: ``Mon 22 Mar, 17:00 (Europe/Berlin)``."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({timezone})"
