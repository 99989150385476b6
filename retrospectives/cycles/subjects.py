"""What each scheduled job of a retrospective is about, and how it is stored as a key.

Runs are rows (job, subject key, due time); the keys keep the format of every earlier version
so that runs planned before an upgrade are still performed. Each subject writes and reads its
own key, here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScheduledOpening:
    """An opening by the team's schedule, stored as ``team:<id>``."""

    team_id: int
    opened_by: None = None  # nobody asked: the same field as a started opening's, always None

    def key(self) -> str:
        return f"team:{self.team_id}"

    @classmethod
    def read(cls, key: str) -> ScheduledOpening | None:
        found = re.fullmatch(r"team:(\d+)", key)
        return None if found is None else cls(int(found[1]))


@dataclass(frozen=True, slots=True)
class StartedOpening:
    """An opening a lead asked for, stored as ``team:<id>:by:<user>``.

    Erasing the lead rewrites the tail to ``:erased-<hex>``: the retrospective still opens,
    as if scheduled, and the key stays unique.
    """

    team_id: int
    opened_by: str | None
    erased: str | None = None

    def key(self) -> str:
        if self.opened_by is not None:
            return f"team:{self.team_id}{self.tail_naming(self.opened_by)}"
        return f"team:{self.team_id}:{self.erased}" if self.erased else f"team:{self.team_id}"

    @staticmethod
    def tail_naming(user_id: str) -> str:
        """How every started opening's key by ``user_id`` ends (erasure finds them by it)."""
        return f":by:{user_id}"

    @staticmethod
    def erased_tail(token: str) -> str:
        """The tail that replaces it once the lead is erased (unique by ``token``)."""
        return f":erased-{token}"

    @classmethod
    def read(cls, key: str) -> StartedOpening | None:
        found = re.fullmatch(r"team:(\d+)(?::by:(?P<by>.+)|:(?P<erased>erased-\w+))?", key)
        if found is None:
            return None
        return cls(int(found[1]), found["by"], found["erased"])


@dataclass(frozen=True, slots=True)
class Reminder:
    """The first or second reminder of a retrospective, stored as ``cycle:<id>:<number>``."""

    cycle_id: int
    number: int

    def key(self) -> str:
        return f"cycle:{self.cycle_id}:{self.number}"

    @classmethod
    def read(cls, key: str) -> Reminder | None:
        found = re.fullmatch(r"cycle:(\d+):(\d+)", key)
        return None if found is None else cls(int(found[1]), int(found[2]))


@dataclass(frozen=True, slots=True)
class Closing:
    """A retrospective's deadline, stored as ``cycle:<id>``."""

    cycle_id: int

    def key(self) -> str:
        return f"cycle:{self.cycle_id}"

    @classmethod
    def read(cls, key: str) -> Closing | None:
        found = re.fullmatch(r"cycle:(\d+)", key)
        return None if found is None else cls(int(found[1]))
