"""Read concerns, voices and answers as typed: pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrospectives.errors import InvalidInput
from retrospectives.okrs import commands
from retrospectives.okrs.concerns import texts
from storage.okr import ConcernDecision

MAX_METRIC = 200
VAGUE_WORDS = 6  # a harm told in fewer words, with no other part, gets the helping question
PARTS = {
    "drives": "drives",
    "rewards": "drives",
    "harms": "harms",
    "harmed": "harms",
    "who": "harms",
    "instead": "instead",
    "better": "instead",
}
_FLAG = re.compile(r"\s*[\[(]?\s*\b(anonymous(?:ly)?|team)\s*[\])]?\s*$", re.IGNORECASE)
# "... hurts the team" ends in a word, not the flag: the flag never follows these.
_NOT_A_FLAG_AFTER = frozenset({"the", "our", "my", "a", "whole", "your", "their", "this", "that"})
_BAR = re.compile(r"\|(?![^<>]*>)")  # a bar between parts, not the one inside <@U7|ana>
_REFERENCE = re.compile(r"^#?c\s?(\d{1,6})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConcernDraft:
    """A concern as typed: the metric and harm, the optional parts, and who is to see it."""

    metric: str
    harm: str
    drives: str | None = None
    harms: str | None = None
    instead: str | None = None
    anonymous: bool = False
    team_visible: bool = False

    @property
    def vague(self) -> bool:
        """Too little for the leads to act on: a short harm and nothing else."""
        has_parts = self.drives or self.harms or self.instead
        return not has_parts and len(self.harm.split()) < VAGUE_WORDS


def parse_concern(args: str) -> ConcernDraft:
    """Read ``<metric>: <harm> [| drives: ..] [| harms: ..] [| instead: ..] [anonymous] [team]``."""
    body, anonymous, team_visible = _flags(args.strip())
    first, *rest = _BAR.split(body)
    metric, harm, _ = commands.parse_concern(first)
    parts = parse_parts("|" + "|".join(rest)) if rest else {}
    draft = ConcernDraft(metric, harm, anonymous=anonymous, team_visible=team_visible, **parts)
    return check(draft)


def check(draft: ConcernDraft) -> ConcernDraft:
    """Refuse a concern without its two parts, or one too long to keep."""
    if not draft.metric or not draft.harm:
        raise InvalidInput(texts.USAGE)
    longest = max(len(p or "") for p in (draft.harm, draft.drives, draft.harms, draft.instead))
    if len(draft.metric) > MAX_METRIC or longest > commands.MAX_FIELD:
        raise InvalidInput(texts.TOO_LONG)
    return draft


def parse_reference(value: str) -> int | None:
    """Read ``C7`` (or ``c7``, ``#C7``) as concern reference 7."""
    match = _REFERENCE.match(value.strip())
    return int(match.group(1)) if match else None


def parse_voice(args: str) -> tuple[int, bool]:
    """Read ``<ref> [anonymous]``."""
    words = args.split()
    reference = parse_reference(words[0]) if words else None
    extra = [w.strip("[]()").casefold() for w in words[1:]]
    if reference is None or any(w not in ("anonymous", "anonymously") for w in extra):
        raise InvalidInput(texts.REFERENCE_USAGE)
    return reference, bool(extra)


def parse_answer(args: str) -> tuple[int, ConcernDecision | None, str]:
    """Read ``<ref> [kept|changed|replaced][:] <what the team decided>``."""
    reference_word, _, rest = args.strip().partition(" ")
    reference = parse_reference(reference_word) if reference_word else None
    if reference is None:
        raise InvalidInput(texts.ANSWER_USAGE)
    first, _, after = rest.strip().partition(" ")
    word = first.rstrip(":,.").casefold()
    decision = ConcernDecision(word) if word in set(ConcernDecision) else None
    answer = (after if decision is not None else rest).strip().lstrip(":").strip()
    if not answer:
        raise InvalidInput(texts.ANSWER_USAGE)
    if len(answer) > commands.MAX_FIELD:
        raise InvalidInput(texts.TOO_LONG)
    return reference, decision, answer


def _flags(body: str) -> tuple[str, bool, bool]:
    anonymous = team_visible = False
    while (found := _FLAG.search(body)) is not None:
        before = body[: found.start()]
        word = found.group(1).casefold()
        last = before.split()[-1].casefold() if before.split() else ""
        if word == "team" and last in _NOT_A_FLAG_AFTER:
            break
        if word == "team":
            team_visible = True
        else:
            anonymous = True
        body = before
    return body, anonymous, team_visible


def parse_parts(args: str) -> dict[str, str]:
    """Read ``| drives: .. | harms: .. | instead: ..`` added to a concern afterwards."""
    parts: dict[str, str] = {}
    for part in _BAR.split(args)[1:]:
        label, sep, value = part.partition(":")
        name = PARTS.get(" ".join(label.casefold().split()))
        if not sep or name is None:
            raise InvalidInput(texts.PART_UNKNOWN)
        if value.strip():
            if len(value.strip()) > commands.MAX_FIELD:
                raise InvalidInput(texts.TOO_LONG)
            parts[name] = value.strip()
    if not parts:
        raise InvalidInput(texts.PART_UNKNOWN)
    return parts
