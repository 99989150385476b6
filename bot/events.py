"""The neutral event that every adapter hands to the core, and the turn the core works in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
