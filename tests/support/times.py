"""The moments tests start from: okrbot's clock is set by hand, never read from the machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday morning
NOON = START.replace(hour=12)  # the same Monday, at noon
NEXT_MONDAY = START + timedelta(weeks=1)
