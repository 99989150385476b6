"""Read what people type into intents: pure functions, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot import events
from retrospectives import texts
from retrospectives.errors import InvalidInput
from retrospectives.okrs import guardrails
from storage.okr import StoryResult

MAX_FIELD = 3000
MAX_TEAM_NAME = 80

LEARNING_LABELS: Mapping[str, str] = {
    "hypothesis": "hypothesis",
    "we believed": "hypothesis",
    "belief": "hypothesis",
    "bet": "hypothesis",
    "tried": "tried",
    "we tried": "tried",
    "experiment": "tried",
    "evidence": "evidence",
    "data": "evidence",
    "learned": "learned",
    "learnt": "learned",
    "learning": "learned",
    "we learned": "learned",
    "result": "result",
    "next": "adaptation",
    "adapt": "adaptation",
    "adaptation": "adaptation",
    "kr": "kr",
    "key result": "kr",
    "team": "team",
}
IMPACT_LABELS: Mapping[str, str] = {
    "who": "who",
    "customer": "who",
    "customers": "who",
    "before": "before",
    "after": "after",
    "now": "after",
    "evidence": "evidence",
    "data": "evidence",
    "kr": "kr",
    "key result": "kr",
    "team": "team",
}
RESULT_WORDS: Mapping[str, StoryResult] = {
    "validated": StoryResult.VALIDATED,
    "confirmed": StoryResult.VALIDATED,
    "true": StoryResult.VALIDATED,
    "invalidated": StoryResult.INVALIDATED,
    "disproved": StoryResult.INVALIDATED,
    "refuted": StoryResult.INVALIDATED,
    "false": StoryResult.INVALIDATED,
    "inconclusive": StoryResult.INCONCLUSIVE,
    "unclear": StoryResult.INCONCLUSIVE,
    "mixed": StoryResult.INCONCLUSIVE,
}
_ANONYMOUS = re.compile(r"\s*[\[(]?\s*anonymous(?:ly)?\s*[\])]?\s*$", re.IGNORECASE)
_KR = re.compile(r"^(?:kr)?\s*#?(\d{1,4})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class KeyResultRef:
    """A key result as a story cites it: the words typed, and the number read from them."""

    typed: str
    number: int | None


@dataclass(frozen=True, slots=True)
class StoryDraft:
    """A story as typed, read once: the whole text, its fields, its result and cited key result."""

    text: str
    fields: Mapping[str, str]
    result: StoryResult | None = None
    cited: KeyResultRef | None = None

    def get(self, name: str) -> str | None:
        return self.fields.get(name) or None


def story_draft(text: str, fields: Mapping[str, str]) -> StoryDraft:
    """Read a story's result and the key result it cites, once, from its fields."""
    reference = fields.get("kr") or None
    return StoryDraft(
        text=text,
        fields=fields,
        result=parse_result(fields.get("result") or None),
        cited=KeyResultRef(reference, parse_key_result_ref(reference)) if reference else None,
    )


def parse_team_create(args: str) -> tuple[str, str | None]:
    """Read ``<name> [tz=<IANA zone>]`` into a team name and an optional timezone."""
    words = args.split()
    zone = None
    name_words = []
    for word in words:
        if word.casefold().startswith(("tz=", "timezone=")):
            zone = word.split("=", 1)[1]
        else:
            name_words.append(word)
    name = " ".join(name_words).strip()
    if not name:
        raise InvalidInput(texts.TEAM_NAME_MISSING)
    if len(name) > MAX_TEAM_NAME:
        raise InvalidInput(texts.team_name_too_long(MAX_TEAM_NAME))
    if name.startswith(("#", "<", "@")):
        raise InvalidInput(texts.TEAM_NAME_MISSING)
    return name, (check_timezone(zone) if zone is not None else None)


@cache
def known_zones() -> frozenset[str]:
    """The IANA names on this machine, read once (reading them walks the zoneinfo folder)."""
    return frozenset(available_timezones())


def check_timezone(zone: str) -> str:
    """Return ``zone`` if it is an IANA timezone name, or refuse with a hint."""
    if zone in known_zones():
        return zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(texts.unknown_timezone(zone)) from None
    return zone


def parse_user(token: str) -> str | None:
    """Read a person from a mention, which every adapter writes alike (``<@U123|ana>``).

    A plain word is a name, not an id: it is refused rather than turned into a person who
    does not exist.
    """
    return events.mentioned(token)


def parse_key_result_ref(value: str) -> int | None:
    """Read ``KR2``, ``kr 2``, ``#2`` or ``2`` as key result number 2."""
    match = _KR.match(value.strip())
    return int(match.group(1)) if match else None


def parse_story(args: str, labels: Mapping[str, str]) -> StoryDraft:
    """Read ``label: value | label: value`` parts; anything else is kept as free text."""
    text = args.strip()
    if not text:
        raise InvalidInput(texts.STORY_EMPTY)
    fields: dict[str, str] = {}
    for part in text.split("|"):
        label, sep, value = part.partition(":")
        key = labels.get(" ".join(label.casefold().split()))
        if sep and key is not None and value.strip():
            fields[key] = value.strip()
    for name, value in fields.items():
        if len(value) > MAX_FIELD:
            raise InvalidInput(texts.field_too_long(name, MAX_FIELD))
    if len(text) > MAX_FIELD:
        raise InvalidInput(texts.story_too_long(len(text), MAX_FIELD))
    return story_draft(text, fields)


def parse_result(value: str | None) -> StoryResult | None:
    if value is None:
        return None
    result = RESULT_WORDS.get(value.strip().casefold().rstrip("."))
    if result is None:
        raise InvalidInput(texts.unknown_result(value), form_errors={"result": texts.RESULT_HINT})
    return result


def parse_concern(args: str) -> tuple[str, str, bool]:
    """Read ``<metric>: <harm observed> [anonymous]``."""
    body = args.strip()
    marker = _ANONYMOUS.search(body)
    anonymous = marker is not None
    if marker is not None:
        body = body[: marker.start()]
    metric, sep, harm = body.partition(":")
    if not sep or not metric.strip() or not harm.strip():
        raise InvalidInput(texts.CONCERN_USAGE)
    if len(metric.strip()) > 200 or len(harm.strip()) > MAX_FIELD:
        raise InvalidInput(texts.CONCERN_TOO_LONG)
    return metric.strip(), harm.strip(), anonymous


def parse_key_result(args: str) -> tuple[str, str | None]:
    """Read ``<key result> [| guardrail: <what must not get worse>]``."""
    text, sep, rest = args.partition("|")
    if not sep:
        return text.strip(), None
    label, colon, guardrail = rest.partition(":")
    if not colon or " ".join(label.casefold().split()) != "guardrail":
        raise InvalidInput(guardrails.KR_ADD_USAGE)
    if not guardrail.strip():
        raise InvalidInput(guardrails.GUARDRAIL_EMPTY)
    return text.strip(), guardrail.strip()


def parse_guardrail(args: str) -> tuple[int, str]:
    """Read ``KR<n> <what must not get worse>`` for a key result already recorded."""
    reference, _, guardrail = args.strip().partition(" ")
    number = parse_key_result_ref(reference) if reference else None
    if number is None:
        raise InvalidInput(guardrails.GUARDRAIL_USAGE)
    if not guardrail.strip():
        raise InvalidInput(guardrails.GUARDRAIL_EMPTY)
    return number, guardrail.strip()
