"""Slack payloads to ChatEvents: pure functions, one per kind of request Slack sends.

Every function takes the parsed body as Slack sent it and returns None for anything the bot
does not act on (bot messages, edits, malformed bodies), so a listener never crashes on input.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.payloads import first, text_of
from adapters.slack.forms import form_values, unpack_metadata
from adapters.slack.mentions import in_core_form, strip_bot_mention
from adapters.slack.settings import SLACK
from bot.events import ChatEvent, EventKind, Inbound

MAX_TRIGGER = 200
SAVE_LEARNING_STORY = "save_learning_story"
_DUPLICATE_SUFFIX = re.compile(r"#\d+$")


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` (the renderer escapes them again)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def workspace_key(team_id: str, enterprise_id: str, enterprise_install: bool) -> str:
    """Name the workspace: its team id, or ``E…:T…`` (``E…``) under an org-wide install."""
    if enterprise_install and enterprise_id:
        return f"{enterprise_id}:{team_id}" if team_id else enterprise_id
    return team_id or enterprise_id


def split_workspace(key: str) -> tuple[str | None, str | None, bool]:
    """Turn a workspace key back into (enterprise id, team id, is org-wide install)."""
    if key.startswith("E"):
        enterprise, _, team = key.partition(":")
        return enterprise, team or None, True
    return None, key, False


def _flag(value: Any) -> bool:
    return value is True or value == "true"


def occurred(seconds: Any, received_at: datetime) -> datetime:
    """Read a Slack epoch time (``1531420618`` or ``"1531420618.000200"``), else ``received_at``."""
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return received_at


def from_event_callback(body: Mapping[str, Any], received_at: datetime) -> ChatEvent | None:
    """Map an Events API ``event_callback`` envelope; None for events the bot ignores."""
    event = body.get("event")
    if body.get("type") != "event_callback" or not isinstance(event, Mapping):
        return None
    authorization = first(body.get("authorizations"))
    base: dict[str, Any] = {
        "platform": SLACK,
        "workspace_id": workspace_of(body, authorization),
        "user_id": text_of(event, "user"),
        "event_id": text_of(body, "event_id"),
        "occurred_at": occurred(body.get("event_time"), received_at),
    }
    if not base["workspace_id"] or not base["user_id"] or not base["event_id"]:
        return None
    if not handled(event):
        return None
    channel = conversation_of(event)
    match event.get("type"):
        case "app_mention":
            text = strip_bot_mention(text_of(event, "text"), text_of(authorization, "user_id"))
            return _message(event, base, channel, text, mentions_bot=True)
        case "message":
            return _message(event, base, channel, text_of(event, "text"), is_direct=True)
        case "reaction_added":
            return ChatEvent(
                **base,
                kind=EventKind.REACTION,
                channel_id=channel,
                reaction=text_of(event, "reaction"),
                target_message_id=text_of(event, "item", "ts"),
            )
        case "app_home_opened":
            return ChatEvent(**base, kind=EventKind.HOME_OPENED, channel_id=channel)
    return ChatEvent(**base, kind=EventKind.MEMBER_JOINED, channel_id=channel)


def workspace_of(body: Mapping[str, Any], authorization: Mapping[str, Any]) -> str:
    """The workspace key of an event callback (its own ids, else its first authorization's)."""
    return workspace_key(
        text_of(body, "team_id") or text_of(authorization, "team_id"),
        text_of(body, "enterprise_id") or text_of(authorization, "enterprise_id"),
        _flag(authorization.get("is_enterprise_install")),
    )


def handled(event: Mapping[str, Any]) -> bool:
    """Whether okrbot acts on this event of an event callback, read from a few fields.

    Bots (ourselves included), edits, deletions and joins all carry a subtype or a bot_id.
    """
    match event.get("type"):
        case "app_mention":
            return not (event.get("bot_id") or event.get("subtype"))
        case "message":
            direct = text_of(event, "channel_type") == "im"
            return direct and not (event.get("bot_id") or event.get("subtype"))
        case "reaction_added":
            return text_of(event, "item", "type") == "message"
        case "app_home_opened":
            return text_of(event, "tab") in ("", "home")
        case "member_joined_channel":
            return True
    return False


def conversation_of(event: Mapping[str, Any]) -> str:
    """The channel an event happened in (a reaction's: its message's)."""
    if event.get("type") == "reaction_added":
        return text_of(event, "item", "channel")
    return text_of(event, "channel")


def _message(
    event: Mapping[str, Any], base: dict[str, Any], channel: str, text: str, **how: Any
) -> ChatEvent:
    return ChatEvent(
        **base,
        **how,
        kind=EventKind.MESSAGE,
        channel_id=channel,
        text=unescape(in_core_form(text)),
        thread_id=text_of(event, "thread_ts"),
    )


def to_inbound(parsed: Mapping[str, Any], body: str, received_at: datetime) -> Inbound | None:
    """The inbox row of an event callback; None for an event okrbot ignores (a bot's message,
    an edit), which is acked and never stored: mapping it gives nothing now nor later."""
    event = from_event_callback(parsed, received_at)
    if event is None:
        return None
    return Inbound(
        platform=SLACK,
        workspace_id=event.workspace_id,
        event_id=event.event_id,
        conversation=event.channel_id or event.user_id,
        body=body,
        received_at=received_at,
    )


def from_slash_command(
    body: Mapping[str, Any], received_at: datetime, *, command_words: Collection[str]
) -> ChatEvent | None:
    """Map a slash command; its text becomes the whole command line (``/story learning …``).

    ``command_words`` are the commands okrbot has (``story`` for ``/story``), handed by the
    composition.
    """
    command = text_of(body, "command")
    user, channel = text_of(body, "user_id"), text_of(body, "channel_id")
    workspace = workspace_key(
        text_of(body, "team_id"),
        text_of(body, "enterprise_id"),
        _flag(body.get("is_enterprise_install")),
    )
    if (
        command.removeprefix("/") not in command_words
        or not command.startswith("/")
        or not (user and channel and workspace)
    ):
        return None
    rest = unescape(in_core_form(text_of(body, "text"))).strip()
    return ChatEvent(
        platform=SLACK,
        workspace_id=workspace,
        channel_id=channel,
        user_id=user,
        user_name=text_of(body, "user_name"),
        kind=EventKind.COMMAND,
        text=f"{command} {rest}".strip(),
        is_direct=channel.startswith("D"),
        occurred_at=received_at,  # slash commands carry no time; Slack never retries them
        event_id=replay_key(body),
    )


def _interaction_base(body: Mapping[str, Any], received_at: datetime) -> dict[str, Any] | None:
    team = text_of(body, "team", "id") or text_of(body, "user", "team_id")
    workspace = workspace_key(
        team, text_of(body, "enterprise", "id"), _flag(body.get("is_enterprise_install"))
    )
    user = text_of(body, "user", "id")
    if not workspace or not user:
        return None
    return {
        "platform": SLACK,
        "workspace_id": workspace,
        "user_id": user,
        "user_name": text_of(body, "user", "username") or text_of(body, "user", "name"),
        "occurred_at": received_at,
        "event_id": replay_key(body),
    }


def replay_key(body: Mapping[str, Any]) -> str:
    """What identifies a slash command or an interaction, so that a replay of it does nothing.

    They carry no event id, and Slack does not retry them; but a signed request can be sent
    again within its five minutes. Each one Slack sends has a ``trigger_id`` of its own.
    """
    trigger = text_of(body, "trigger_id")
    if len(trigger) > MAX_TRIGGER:  # no real one is this long; keep the ledger's column happy
        trigger = hashlib.sha256(trigger.encode()).hexdigest()
    return f"trigger:{trigger}" if trigger else ""


def from_block_action(body: Mapping[str, Any], received_at: datetime) -> ChatEvent | None:
    """Map the first button press in a ``block_actions`` payload."""
    base = _interaction_base(body, received_at)
    action = first(body.get("actions"))
    if base is None or body.get("type") != "block_actions" or not action:
        return None
    channel = text_of(body, "channel", "id") or text_of(body, "container", "channel_id")
    return ChatEvent(
        **base,
        kind=EventKind.BUTTON,
        channel_id=channel,
        is_direct=channel.startswith("D"),
        action_id=original_action_id(text_of(action, "action_id")),
        action_value=text_of(action, "value") or text_of(action, "selected_option", "value"),
        target_message_id=text_of(body, "container", "message_ts"),
    )


def original_action_id(action_id: str) -> str:
    """Drop the ``#2`` the renderer adds to keep repeated action ids unique in one message."""
    return _DUPLICATE_SUFFIX.sub("", action_id)


def from_view_submission(body: Mapping[str, Any], received_at: datetime) -> ChatEvent | None:
    """Map a modal's submission: its callback id, its inputs flattened, its metadata."""
    base = _interaction_base(body, received_at)
    view = body.get("view")
    if base is None or body.get("type") != "view_submission" or not isinstance(view, Mapping):
        return None
    channel, context = unpack_metadata(text_of(view, "private_metadata"))
    return ChatEvent(
        **base,
        kind=EventKind.FORM_SUBMISSION,
        channel_id=channel,
        is_direct=channel.startswith("D"),
        form_id=text_of(view, "callback_id"),
        form_values=form_values(view.get("state")),
        form_context=context,
    )


def from_message_shortcut(body: Mapping[str, Any], received_at: datetime) -> ChatEvent | None:
    """Map the message shortcut ``save_learning_story``: the picked message is its target."""
    base = _interaction_base(body, received_at)
    if base is None or body.get("type") != "message_action":
        return None
    if text_of(body, "callback_id") != SAVE_LEARNING_STORY:
        return None
    channel = text_of(body, "channel", "id")
    return ChatEvent(
        **base,
        kind=EventKind.SHORTCUT,
        channel_id=channel,
        is_direct=channel.startswith("D"),
        action_id=SAVE_LEARNING_STORY,
        target_message_id=text_of(body, "message", "ts") or text_of(body, "message_ts"),
        target_text=unescape(text_of(body, "message", "text")),
    )
