"""Turn what a person typed (a command line or a form) into a shout-out request."""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from recognition import texts
from recognition.errors import InvalidShoutOut, UnknownTeam
from storage.core import team_name_key
from storage.recognition import Behaviour

MIN_TEXT = 20
MIN_WORDS = 4
MAX_TEXT = 2000
MAX_TEAMS = 5

TEAMS_INPUT = "teams"
BEHAVIOUR_INPUT = "behaviour"
NARRATIVE_INPUT = "narrative"
PRIVATE_INPUT = "private"

_CHANNEL = re.compile(r"<#(?P<id>[A-Za-z0-9_-]+)(?:\|(?P<label>[^>]*))?>|#(?P<bare>[\w.-]+)")
_AFTER_NAME = r"(?=$|[\s,:;.!&+—–-])"
_JOINER = re.compile(r"\s*(?:,|&|\+|\band\b)\s*", re.IGNORECASE)
_LEAD_IN = re.compile(r"^[\s:;,—–-]+")
_PRIVATE = re.compile(r"private\b\s*", re.IGNORECASE)
_BEHAVIOUR_LABEL = re.compile(
    r"\s*\|?\s*\bbehaviou?r\s*[:=]\s*(?P<word>[\w-]*)\s*\|?\s*", re.IGNORECASE
)
_NAME_LIKE = re.compile(r"[#<]|[A-Z0-9]")
_CANDIDATE_END = re.compile(r"[,:;&+]")

_SYNONYMS = {
    Behaviour.LEARNING: ("learning", "learn", "learned", "adapt", "adapting", "adapted"),
    Behaviour.EXPERIMENT: ("experiment", "experimenting", "test", "hypothesis"),
    Behaviour.HELPING: ("helping", "help", "helped", "support"),
    Behaviour.CUSTOMER: ("customer", "customers", "customer-impact", "impact"),
    Behaviour.OTHER: ("other",),
}
_CLUES = {
    Behaviour.EXPERIMENT: re.compile(
        r"\bexperiment\w*|\bhypothes\w+|\ba/b\b|\bprototyp\w*|\btested\b|\bspike\b", re.I
    ),
    Behaviour.HELPING: re.compile(
        r"\bhelp(?:ed|ing|s)?\b|\bunblock\w*|\bpair(?:ed|ing)?\b|\bstepped in\b|\bjumped in\b",
        re.I,
    ),
    Behaviour.CUSTOMER: re.compile(
        r"\bcustomers?\b|\busers?\b|\bclients?\b|\bbuyers?\b|\bshoppers?\b|\bmerchants?\b", re.I
    ),
    Behaviour.LEARNING: re.compile(
        r"\blearn\w*|\badapt\w*|\bpivot\w*|\bretro\w*|\blessons?\b|\bchanged (?:course|"
        r"direction|approach|how)\b",
        re.I,
    ),
}


@dataclass(frozen=True, slots=True)
class Target:
    """A team as the giver named it: by name, or by the channel it lives in."""

    name: str = ""
    channel_id: str = ""


@dataclass(frozen=True, slots=True)
class ShoutOutRequest:
    targets: tuple[Target, ...]
    text: str
    behaviour: Behaviour
    private: bool = False


def parse_command(args: str, team_names: Collection[str]) -> ShoutOutRequest:
    """Read ``[private] <team>[, <team> ...] <what they did> [behaviour: ...]``."""
    rest = args.strip()
    private = False
    if (flag := _PRIVATE.match(rest)) and _match_name(rest, team_names) is None:
        private, rest = True, rest[flag.end() :]
    targets, rest = parse_targets(rest, team_names)
    if not targets:
        raise UnknownTeam(texts.NO_TEAM_GIVEN)
    text, behaviour = parse_narrative(_LEAD_IN.sub("", rest), None)
    return ShoutOutRequest(targets, text, behaviour, private)


def parse_form(values: Mapping[str, str], team_names: Collection[str]) -> ShoutOutRequest:
    """Read a submitted shout-out form; refusals name the input at fault."""
    teams_line = values.get(TEAMS_INPUT, "").strip()
    targets, rest = parse_targets(teams_line, team_names, input_name=TEAMS_INPUT)
    if not targets:
        raise UnknownTeam(texts.NO_TEAM_GIVEN_FORM, input_name=TEAMS_INPUT)
    if rest.strip(" ,&+"):
        raise UnknownTeam(texts.unknown_team(_candidate(rest)), input_name=TEAMS_INPUT)
    chosen = values.get(BEHAVIOUR_INPUT, "").strip()
    behaviour = parse_behaviour(chosen, input_name=BEHAVIOUR_INPUT) if chosen else None
    text, behaviour = parse_narrative(values.get(NARRATIVE_INPUT, ""), behaviour)
    private = values.get(PRIVATE_INPUT, "").strip().casefold() in {"yes", "true", "private"}
    return ShoutOutRequest(targets, text, behaviour, private)


def parse_targets(
    line: str, team_names: Collection[str], *, input_name: str = ""
) -> tuple[tuple[Target, ...], str]:
    """Read the teams at the start of ``line``; return them and the text after them."""
    targets: list[Target] = []
    rest = line.strip()
    while rest:
        found = _match_target(rest, team_names)
        if found is None:
            if targets and not _NAME_LIKE.match(rest):
                break  # "Checkout, they paired with us ...": the narrative has begun
            raise UnknownTeam(texts.unknown_team(_candidate(rest)), input_name=input_name)
        target, rest = found
        if target not in targets:
            targets.append(target)
        if len(targets) > MAX_TEAMS:
            raise UnknownTeam(texts.too_many_teams(MAX_TEAMS), input_name=input_name)
        joiner = _JOINER.match(rest)
        if joiner is None:
            break
        after = rest[joiner.end() :]
        if joiner.group(0).strip().casefold() == "and" and not _match_target(after, team_names):
            break  # "... and everyone who helped": the narrative has begun
        rest = after
    return tuple(targets), rest.strip()


def parse_narrative(text: str, behaviour: Behaviour | None) -> tuple[str, Behaviour]:
    """Take a ``behaviour:`` label out of the narrative, check its length, infer a behaviour."""
    label = _BEHAVIOUR_LABEL.search(text)
    if label is not None:
        behaviour = parse_behaviour(label.group("word"), input_name=NARRATIVE_INPUT)
        text = f"{text[: label.start()]} {text[label.end() :]}"
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidShoutOut(texts.too_long(len(text), MAX_TEXT), input_name=NARRATIVE_INPUT)
    if len(text) < MIN_TEXT or len(text.split()) < MIN_WORDS:
        raise InvalidShoutOut(texts.too_short(MIN_TEXT), input_name=NARRATIVE_INPUT)
    return text, behaviour or infer_behaviour(text)


def parse_behaviour(word: str, *, input_name: str = "") -> Behaviour:
    """Read a behaviour from its name or a synonym ("helped", "experiment", ...)."""
    folded = word.strip().casefold()
    for behaviour, names in _SYNONYMS.items():
        if folded in names:
            return behaviour
    raise InvalidShoutOut(texts.unknown_behaviour(word), input_name=input_name)


def infer_behaviour(text: str) -> Behaviour:
    """Guess the behaviour a narrative describes from its words; OTHER when unsure."""
    hits = {behaviour: len(clue.findall(text)) for behaviour, clue in _CLUES.items()}
    best = max(hits, key=lambda b: hits[b])  # ties go to the first behaviour listed
    return best if hits[best] else Behaviour.OTHER


def _match_target(text: str, team_names: Collection[str]) -> tuple[Target, str] | None:
    channel = _CHANNEL.match(text)
    if channel is not None:
        if channel.group("id"):
            target = Target(name=channel.group("label") or "", channel_id=channel.group("id"))
        else:
            target = Target(name=channel.group("bare"), channel_id=channel.group("bare"))
        return target, text[channel.end() :]
    return _match_name(text, team_names)


def _match_name(text: str, team_names: Collection[str]) -> tuple[Target, str] | None:
    for name in sorted(team_names, key=len, reverse=True):
        words = team_name_key(name).split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words) + _AFTER_NAME
        found = re.match(pattern, text, re.IGNORECASE)
        if found is not None:
            return Target(name=name), text[found.end() :]
    return None


def _candidate(text: str) -> str:
    """The name a person probably meant: the capitalised words they began with, or one word."""
    words = _CANDIDATE_END.split(text.strip(), maxsplit=1)[0].split()
    if not words:
        return text.strip()[:80]
    named = list(itertools.takewhile(lambda w: w[:1].isupper() or w[:1] == "#", words[:3]))
    return " ".join(named or words[:1])[:80]
