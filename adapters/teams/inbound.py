"""Bot Framework activities to ChatEvents: pure functions over the JSON Teams posts.

Every function takes the activity as a parsed JSON object and returns None for anything the
bot does not act on (its own messages, edits, typing, unknown invokes), so a turn never crashes
on input. Who is who: the workspace is the Teams tenant, a person is their Entra (AAD) object
id where Teams sends one, and a channel is the channel's own conversation id (the thread of one
post is ``thread_id``), so that a team bound to a channel stays bound whichever post people
reply in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.payloads import mapping_at, text_of
from adapters.teams import forms
from adapters.teams.mentions import clean_text
from adapters.teams.settings import TEAMS
from bot.events import ChatEvent, EventKind

CARD_ACTION_INVOKE = "adaptiveCard/action"
MAX_EVENT_ID = 255


def tenant_of(activity: Mapping[str, Any]) -> str:
    """The Teams tenant: ``channelData.tenant.id``, else ``conversation.tenantId``."""
    return text_of(activity, "channelData", "tenant", "id") or text_of(
        activity, "conversation", "tenantId"
    )


def is_personal(activity: Mapping[str, Any]) -> bool:
    return text_of(activity, "conversation", "conversationType") == "personal"


def channel_of(activity: Mapping[str, Any]) -> str:
    """The conversation a team is bound to: a channel's own id, else the conversation's id."""
    conversation = text_of(activity, "conversation", "id")
    if text_of(activity, "conversation", "conversationType") == "channel":
        channel = text_of(activity, "channelData", "channel", "id")
        return channel or conversation.split(";", 1)[0]
    return conversation


def user_of(account: Any) -> str:
    """A person's stable id: their Entra object id, else the Teams account id (``29:…``)."""
    return text_of(account, "aadObjectId") or text_of(account, "id")


def event_id_of(activity: Mapping[str, Any]) -> str:
    """The activity id, prefixed with its conversation (activity ids repeat across chats)."""
    activity_id = text_of(activity, "id")
    if not activity_id:
        return ""
    event_id = f"{text_of(activity, 'conversation', 'id')}|{activity_id}"
    if len(event_id) > MAX_EVENT_ID:
        return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()
    return event_id


def occurred(activity: Mapping[str, Any], received_at: datetime) -> datetime:
    """Read the activity's ``timestamp`` (ISO 8601, UTC), else ``received_at``."""
    stamp = text_of(activity, "timestamp")
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return received_at
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def command_word(text: str, command_words: Collection[str]) -> str:
    """The command word (``story``) when text is a command, slash or not; else ""."""
    first = text.lstrip().split(maxsplit=1)[0] if text.strip() else ""
    word = first.removeprefix("/").casefold()
    return word if word in command_words else ""


def to_chat_events(
    activity: Mapping[str, Any],
    received_at: datetime,
    *,
    command_words: Collection[str],
    people: Mapping[str, str] | None = None,
) -> list[ChatEvent]:
    """Map one activity Teams posted to the bot: usually one event, one per person who joined.

    ``command_words`` are the words that start a command (``story``), handed by the
    composition; ``people`` maps the account ids of mentioned people to their user ids, where
    known.
    """
    base = _base(activity, received_at)
    if base is None:
        return []
    match activity.get("type"):
        case "message":
            value = activity.get("value")
            if isinstance(value, Mapping):  # an Action.Submit of a card sent before Action.Execute
                return _listed(forms.submission(value, base))
            return _listed(_message(activity, base, people, command_words))
        case "invoke":
            if text_of(activity, "name") != CARD_ACTION_INVOKE:
                return []
            return _listed(forms.submission(mapping_at(activity, "value", "action", "data"), base))
        case "messageReaction":
            return _listed(_reaction(activity, base))
        case "conversationUpdate":
            return _members_joined(activity, base)
    return []


def bot_added(activity: Mapping[str, Any]) -> bool:
    """Whether the activity says the app was just added here (a team, a chat, a 1:1 chat)."""
    match activity.get("type"):
        case "installationUpdate":
            return text_of(activity, "action") == "add"
        case "conversationUpdate":
            bot_id = text_of(activity, "recipient", "id")
            added = activity.get("membersAdded")
            return bool(bot_id) and any(
                isinstance(m, Mapping) and text_of(m, "id") == bot_id
                for m in (added if isinstance(added, list) else [])
            )
    return False


def unknown_invoke(activity: Mapping[str, Any]) -> bool:
    """An invoke okrbot does not handle: the SDKs answer those 501, and so does okrbot."""
    return activity.get("type") == "invoke" and text_of(activity, "name") != CARD_ACTION_INVOKE


def _listed(event: ChatEvent | None) -> list[ChatEvent]:
    return [event] if event is not None else []


def _base(activity: Mapping[str, Any], received_at: datetime) -> dict[str, Any] | None:
    channel_service = text_of(activity, "channelId")
    tenant, channel = tenant_of(activity), channel_of(activity)
    if channel_service == "emulator":
        tenant = tenant or "emulator"  # the Bot Framework Emulator sends no tenant
    elif channel_service != "msteams":
        return None
    if not tenant or not channel:
        return None
    conversation = text_of(activity, "conversation", "id")
    return {
        "platform": TEAMS,
        "workspace_id": tenant,
        "channel_id": channel,
        "user_id": user_of(activity.get("from")),
        "user_name": text_of(activity, "from", "name"),
        "is_direct": is_personal(activity),
        "thread_id": conversation if conversation != channel else "",
        "event_id": event_id_of(activity),
        "occurred_at": occurred(activity, received_at),
    }


def _message(
    activity: Mapping[str, Any],
    base: dict[str, Any],
    people: Mapping[str, str] | None,
    command_words: Collection[str],
) -> ChatEvent | None:
    if not base["user_id"] or text_of(activity, "from", "role") == "bot":
        return None
    text, mentioned = clean_text(activity, people)
    addressed = base["is_direct"] or mentioned
    is_command = bool(command_word(text, command_words)) and (addressed or text.startswith("/"))
    return ChatEvent(
        **base,
        kind=EventKind.COMMAND if is_command else EventKind.MESSAGE,
        text=text,
        mentions_bot=mentioned,
    )


def _reaction(activity: Mapping[str, Any], base: dict[str, Any]) -> ChatEvent | None:
    added = activity.get("reactionsAdded")
    target = text_of(activity, "replyToId")
    if not isinstance(added, list) or not added or not target or not base["user_id"]:
        return None
    return ChatEvent(
        **base,
        kind=EventKind.REACTION,
        reaction=text_of(added[0], "type"),
        target_message_id=target,
    )


def _members_joined(activity: Mapping[str, Any], base: dict[str, Any]) -> list[ChatEvent]:
    """One event per person (never the bot itself) in ``membersAdded``."""
    bot_id = text_of(activity, "recipient", "id")
    added = activity.get("membersAdded")
    people = [
        m
        for m in (added if isinstance(added, list) else [])
        if isinstance(m, Mapping) and text_of(m, "id") not in ("", bot_id)
    ]
    event_id = base["event_id"]
    return [
        ChatEvent(
            **{
                **base,
                "user_id": user_of(person),
                "user_name": text_of(person, "name"),
                "event_id": f"{event_id}|{text_of(person, 'id')}"[:MAX_EVENT_ID]
                if event_id
                else "",
            },
            kind=EventKind.MEMBER_JOINED,
        )
        for person in people
    ]
