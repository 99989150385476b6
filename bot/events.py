"""The neutral event that every adapter hands to the core, and the turn the core works in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum

from bot.payloads import storable


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


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
class Due:
    """One piece of scheduled work as a job sees it: what, about whom, when, and where."""

    job: str
    subject: str
    due_at: datetime
    now: datetime
    workspace_id: int
    platform: str
    workspace_external_id: str
