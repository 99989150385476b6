"""The neutral event that every adapter hands to the core, and the turn the core works in.

Also how the HTTP edges read what a caller sends: within bounds, and keeping only text a
database can store. Every body is parsed here before Bolt or botbuilder sees it: nesting deep
enough to exhaust the stack, or a string no person typed, is refused once with a reason, instead
of crashing a handler on every retry. The checks walk the parsed value with a list, not with
recursion, so they cannot overflow the stack themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, NewType, Protocol, TypeVar
from urllib.parse import parse_qsl

Subject = TypeVar("Subject")
"""What a scheduled job is about (a team, a cycle, a lead): a frozen dataclass per job."""
Subject_co = TypeVar("Subject_co", covariant=True)


Platform = NewType("Platform", str)
"""A platform's name (``slack``, ``teams``, ``console``): each adapter declares its own, and the
kernel lists none. It is what ``workspace.platform`` stores and what the metrics are labelled by."""


class EventKind(StrEnum):
    MESSAGE = "message"
    COMMAND = "command"
    FORM_SUBMISSION = "form_submission"
    BUTTON = "button"
    REACTION = "reaction"
    MEMBER_JOINED = "member_joined"
    HOME_OPENED = "home_opened"
    SHORTCUT = "shortcut"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatEvent:
    """One thing a person did in chat, as the core sees it on every platform.

    ``text`` of a command event is the whole command line including its leading word
    (``/story learning ...``); adapters strip @mentions of the bot but change nothing else.
    Every text is storable: NUL and lone surrogates, which no database stores, become U+FFFD
    here, so each platform and the console hand the core the same clean text.
    """

    platform: Platform
    workspace_id: str
    channel_id: str
    user_id: str
    kind: EventKind
    occurred_at: datetime
    text: str = ""
    is_direct: bool = False
    mentions_bot: bool = False
    user_name: str = ""
    form_id: str = ""
    form_values: Mapping[str, str] = field(default_factory=dict)
    form_context: str = ""  # the Form.context the form was opened with, handed back
    action_id: str = ""
    action_value: str = ""
    reaction: str = ""
    target_message_id: str = ""
    target_text: str = ""
    thread_id: str = ""
    event_id: str = ""

    def __post_init__(self) -> None:
        for name in _TEXT_FIELDS:
            text = getattr(self, name)
            if (clean := storable(text)) is not text:
                object.__setattr__(self, name, clean)
        values = self.form_values
        if any(storable(k) is not k or storable(v) is not v for k, v in values.items()):
            object.__setattr__(
                self, "form_values", {storable(k): storable(v) for k, v in values.items()}
            )


_TEXT_FIELDS = tuple(f.name for f in fields(ChatEvent) if f.type == "str")

# How the text of a ChatEvent mentions a person, whatever the platform: ``<@id>`` or
# ``<@id|name>``. Each adapter writes its platform's mentions this way (Slack's own syntax,
# Teams' ``<at>`` entities, the console's ``@id``), so the core reads them alike everywhere.
_MENTION = re.compile(r"<@([A-Za-z0-9._-]+)(?:\|[^>]*)?>")


def mention(user_id: str, name: str = "") -> str:
    """Mention a person in an event's text, as every adapter writes mentions for the core."""
    shown = name.replace(">", "").strip()
    return f"<@{user_id}|{shown}>" if shown else f"<@{user_id}>"


def mentioned(token: str) -> str | None:
    """The person a token is a mention of (``<@U7>``, ``<@U7|ana>``); None if it is none."""
    match = _MENTION.fullmatch(token.strip())
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """An event inside the core: the event, its workspace's row id and the time it is handled."""

    event: ChatEvent
    workspace_id: int
    now: datetime

    @property
    def user_id(self) -> str:
        return self.event.user_id

    @property
    def channel_id(self) -> str:
        return self.event.channel_id


@dataclass(frozen=True, slots=True, kw_only=True)
class Due(Generic[Subject_co]):
    """One piece of scheduled work as a job sees it: what, about whom, when, and where."""

    job: str
    subject: Subject_co
    due_at: datetime
    now: datetime
    workspace_id: int
    platform: str
    workspace_external_id: str


# Slack's and Teams' deepest real payloads (rich text inside a modal's state) nest about a
# dozen levels; nothing either sends comes near this.
MAX_DEPTH = 32
# Slack cuts a message at 40,000 characters and Teams at about 28 KB; a longer string was not
# typed by anyone.
MAX_STRING = 50_000
# NUL is refused by PostgreSQL's text, and a lone UTF-16 surrogate cannot be encoded as UTF-8
# for either database; both are replaced by U+FFFD, the character that says "something
# unreadable stood here", so the rest of what the person typed is kept.
REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Unreadable(ValueError):
    """A body that can never be read, however often it is sent."""


def storable(text: str) -> str:
    """Return ``text`` with NUL and lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text) if _UNSTORABLE.search(text) else text


def read_json(text: str, *, clean: bool = True) -> Any:
    """Parse a JSON body within the bounds, with every string (keys too) made storable.

    With ``clean=False`` the bounds are checked all the same, but a text that cannot break them
    is not walked: no string in it is longer than the text, and no nesting deeper than its
    count of brackets (those inside strings counted too). Its strings are then as sent, NUL and
    lone surrogates included; for a caller that reads a few ids and checks them itself.
    """
    try:
        value = json.loads(text)
    except RecursionError:  # the stdlib parser recurses: this nesting is far past MAX_DEPTH
        raise Unreadable(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError, and integers of over 4,300 digits
        raise Unreadable("not JSON") from error
    if not clean and len(text) <= MAX_STRING and text.count("{") + text.count("[") <= MAX_DEPTH:
        return value
    return bounded(value)


def read_form(text: str) -> dict[str, str]:
    """Parse a form-encoded body within the bounds (a later field wins, as in Bolt)."""
    return bounded(dict(parse_qsl(text, keep_blank_values=True)))  # type: ignore[no-any-return]


def bounded(value: Any) -> Any:
    """Check depth and string lengths; return ``value`` with its strings made storable."""
    if isinstance(value, str):
        return _checked(value)
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise Unreadable(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, item in list(node.items()):
                clean = _checked(key)
                if clean is not key:
                    del node[key]
                node[clean] = _checked(item) if isinstance(item, str) else item
                if isinstance(item, dict | list):
                    pending.append((item, depth + 1))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = _checked(item)
                elif isinstance(item, dict | list):
                    pending.append((item, depth + 1))
    return value


def _checked(text: str) -> str:
    if len(text) > MAX_STRING:
        raise Unreadable(f"a string longer than {MAX_STRING:,} characters")
    return storable(text)


@dataclass(frozen=True, slots=True)
class Inbound:
    """A verified event as the platform sent it, to keep in the inbox before it is acked.

    ``conversation`` is where it happened (a channel, a direct message): events of one
    conversation are handled in the order they were stored.
    """

    platform: str
    workspace_id: str
    event_id: str
    conversation: str
    body: str
    received_at: datetime


Enqueue = Callable[[Inbound], Awaitable[None]]
"""Keep an event in the inbox; returns once it is committed, raises ``bot.ports.Unavailable``
if not."""

Then = Callable[[], Awaitable[None]]
"""What a handled event does once its effects are committed: send its replies."""


class Apply(Protocol):
    """Handle a stored body (as received at the given time); raising leaves it to be retried.

    It returns what to do once the effects are committed (its replies), so that a caller that
    commits later, the inbox's worker closing a batch, sends nothing that may yet roll back.
    ``batched``: its events may share a transaction, each inside a savepoint, because handling
    one opens no session of its own and waits on no platform; when False, each event is
    handled in its own transaction, as the core's unit of work opens it.
    """

    @property
    def batched(self) -> bool: ...

    async def __call__(self, body: str, received_at: datetime) -> Then | None: ...
