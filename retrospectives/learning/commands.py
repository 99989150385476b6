"""Read what people type to find their team's learning: pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrospectives.errors import InvalidInput
from retrospectives.learning import texts
from storage.okr import StoryResult
from storage.search import words_of

MAX_SEARCH = 300
_QUARTER = re.compile(r"^(\d{4})-?q([1-4])$|^q([1-4])-?(\d{4})$", re.IGNORECASE)
_KEY_RESULT = re.compile(r"^kr#?(\d{1,4})$", re.IGNORECASE)
_RESULTS = {result.value: result for result in StoryResult}


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    """A calendar quarter: ``2026Q3`` is July to September 2026."""

    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"


@dataclass(frozen=True, slots=True)
class StorySearch:
    """What ``/story search`` looks for: words, and optionally a quarter, key result, result."""

    words: tuple[str, ...]
    quarter: Quarter | None = None
    key_result_number: int | None = None
    result: StoryResult | None = None


def parse_quarter(token: str) -> Quarter | None:
    """Read ``2026Q3``, ``2026-q3`` or ``Q3-2026`` as the third quarter of 2026."""
    match = _QUARTER.match(token.strip())
    if match is None:
        return None
    year, number = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
    return Quarter(int(year), int(number))


def parse_search(args: str) -> StorySearch:
    """Read ``/story search <words>``; a quarter, ``KR2`` or a result among them narrows it."""
    if len(args) > MAX_SEARCH:
        raise InvalidInput(texts.search_too_long(MAX_SEARCH))
    words: list[str] = []
    quarter: Quarter | None = None
    number: int | None = None
    result: StoryResult | None = None
    for token in args.split():
        found_quarter = parse_quarter(token)
        key_result = _KEY_RESULT.match(token)
        if found_quarter is not None:
            quarter = found_quarter
        elif key_result is not None:
            number = int(key_result.group(1))
        elif token.casefold() in _RESULTS:
            result = _RESULTS[token.casefold()]
        else:
            words.extend(words_of(token))
    if not (words or quarter or number or result):
        raise InvalidInput(texts.SEARCH_USAGE)
    return StorySearch(tuple(words), quarter, number, result)
