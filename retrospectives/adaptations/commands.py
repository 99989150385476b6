"""Read what people type about an adaptation: pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from retrospectives.adaptations import texts
from retrospectives.errors import InvalidInput
from storage.learning import Fate

_REF = re.compile(r"^a#?(\d{1,9})$", re.IGNORECASE)
_FATES = {"done": Fate.DONE, "did": Fate.DONE, "dropped": Fate.DROPPED, "drop": Fate.DROPPED}
_FATES |= {"open": Fate.OPEN, "reopen": Fate.OPEN}
# What a follow-up answer at the next retrospective says the team decided.
_DROPPED_WORDS = frozenset({"drop", "dropped", "dropping", "stop", "stopped", "abandon"})
_DONE_WORDS = frozenset({"done", "did", "yes", "keep", "kept", "worked", "change", "changed"})


@dataclass(frozen=True, slots=True)
class Taking:
    """``/retro adapt A7 mine|team [by YYYY-MM-DD]``: who looks after it, and until when."""

    adaptation_id: int
    team_owns: bool
    due_on: date | None


@dataclass(frozen=True, slots=True)
class Deciding:
    """``/retro adapt A7 done|dropped|open``: what became of it."""

    adaptation_id: int
    fate: Fate


def reference(adaptation_id: int) -> str:
    """How people refer to an adaptation: ``A7``."""
    return f"A{adaptation_id}"


def parse_adapt(args: str) -> Taking | Deciding | None:
    """Read ``A7 mine [by 2027-03-01]``, ``A7 team [by ...]`` or ``A7 done``; None: list them."""
    words = args.split()
    if not words:
        return None
    found = _REF.match(words[0])
    if found is None or len(words) < 2:
        raise InvalidInput(texts.ADAPT_USAGE)
    adaptation_id, choice, rest = int(found.group(1)), words[1].casefold(), words[2:]
    if choice in _FATES and not rest:
        return Deciding(adaptation_id, _FATES[choice])
    if choice not in ("mine", "me", "team"):
        raise InvalidInput(texts.ADAPT_USAGE)
    due_on = None
    if rest:
        if len(rest) != 2 or rest[0].casefold() != "by":
            raise InvalidInput(texts.ADAPT_USAGE)
        try:
            due_on = date.fromisoformat(rest[1])
        except ValueError:
            raise InvalidInput(texts.date_unreadable(rest[1])) from None
    return Taking(adaptation_id, choice == "team", due_on)


def fate_from_follow_up(said: str) -> Fate | None:
    """What a team's follow-up answer decided: dropped, done (kept or changed), or unclear."""
    words = set(re.findall(r"[^\W_]+", said.casefold()))
    if words & _DROPPED_WORDS:
        return Fate.DROPPED
    if words & _DONE_WORDS:
        return Fate.DONE
    return None
