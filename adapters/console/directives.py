"""Read one console line: a chat message, or a `!` directive that steers the session."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import as_utc

HELP = """\
Type what you would type in Slack: /okr help, /story learning ..., /shoutout ...
Lines starting with @okrbot mention the bot in the channel; other lines are plain messages.
Console directives (the bot never sees these):
  !user U2                 act as another person
  !channel C2              move to a channel (#C2 works too)
  !dm                      talk to the bot directly, in your direct chat
  !workspace W2            move to another workspace
  !time 2027-01-04T09:00   set the clock (ISO-8601; without an offset it is UTC)
  !time +7d                move the clock forward (m, h, d or w)
  !press 1                 press button [1] of the bot's last message with buttons
  !form <form id> name=value | name=value
                           submit a form the bot showed
  !react [emoji]           react to the bot's last message in this conversation
  !help                    show this help
Lines starting with # are comments."""

_STEP = re.compile(r"^\+(\d{1,6})\s*([mhdw])$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_NAME = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True, slots=True)
class Chat:
    """A line for the bot, as a person would type it in chat."""

    text: str


@dataclass(frozen=True, slots=True)
class Nothing:
    """A blank line or a comment."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A directive that could not be read, and what to type instead."""

    message: str


@dataclass(frozen=True, slots=True)
class ActAs:
    user_id: str


@dataclass(frozen=True, slots=True)
class MoveTo:
    channel_id: str


@dataclass(frozen=True, slots=True)
class GoDirect:
    pass


@dataclass(frozen=True, slots=True)
class UseWorkspace:
    workspace_id: str


@dataclass(frozen=True, slots=True)
class SetTime:
    """Set the clock to ``moment``, or move it forward by ``step``."""

    moment: datetime | None = None
    step: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Press:
    number: int


@dataclass(frozen=True, slots=True)
class SubmitForm:
    form_id: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class React:
    reaction: str


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


Line = (
    Chat
    | Nothing
    | Problem
    | ActAs
    | MoveTo
    | GoDirect
    | UseWorkspace
    | SetTime
    | Press
    | SubmitForm
    | React
    | ShowHelp
)


def read(line: str) -> Line:
    """Tell what a console line asks for."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return Nothing()
    if not stripped.startswith("!"):
        return Chat(stripped)
    word, _, rest = stripped[1:].partition(" ")
    rest = rest.strip()
    match word.casefold():
        case "user":
            return ActAs(rest) if _is_id(rest) else _needs_id("!user U2")
        case "channel":
            channel = rest.removeprefix("#")
            return MoveTo(channel) if _is_id(channel) else _needs_id("!channel C2")
        case "workspace":
            return UseWorkspace(rest) if _is_id(rest) else _needs_id("!workspace W2")
        case "dm" if not rest:
            return GoDirect()
        case "time":
            return _time(rest)
        case "press":
            return _press(rest)
        case "form":
            return _form(rest)
        case "react":
            return React(rest.strip(":") or "+1")
        case "help" | "?":
            return ShowHelp()
    return Problem(f"I don't know the directive {stripped.split()[0]!r}. Type !help to see them.")


def parse_moment(text: str) -> datetime:
    """Read an ISO-8601 time; without an offset it is UTC. Raise ValueError if unreadable."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"I can't read {text!r} as a time. Write it as ISO-8601, for example "
            "!time 2027-01-04T09:00 (UTC) or !time 2027-01-04T10:00+01:00, "
            "or move forward with !time +2h or !time +7d."
        ) from None
    return as_utc(moment)


def _is_id(value: str) -> bool:
    return _NAME.match(value) is not None


def _needs_id(example: str) -> Problem:
    return Problem(f"Give one id without spaces, for example {example}.")


def _time(text: str) -> SetTime | Problem:
    if not text:
        return Problem("Say when, for example !time 2027-01-04T09:00 or !time +1d.")
    step = _STEP.match(text)
    if step is not None:
        amount, unit = int(step.group(1)), _UNITS[step.group(2).casefold()]
        return SetTime(step=timedelta(**{unit: amount}))
    try:
        return SetTime(moment=parse_moment(text))
    except ValueError as error:
        return Problem(str(error))


def _press(text: str) -> Press | Problem:
    if not text.isdigit() or int(text) < 1:
        return Problem("Say which button, by its number: !press 1")
    return Press(int(text))


def _form(text: str) -> SubmitForm | Problem:
    form_id, _, body = text.partition(" ")
    if not form_id:
        return Problem("Name the form and its values: !form <form id> name=value | name=value")
    values: dict[str, str] = {}
    for part in body.split("|"):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        if not equals or not name.strip():
            return Problem(
                f"I can't read {part.strip()!r}: write each value as name=value, separated by |."
            )
        values[name.strip()] = value.strip()
    return SubmitForm(form_id, values)
