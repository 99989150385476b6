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
import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.events import ChatEvent, EventKind, Platform

COMMAND_WORDS = ("okr", "story", "retro", "shoutout")
FORM_KEY = "okrbot_form"
CONTEXT_KEY = "okrbot_context"
ACTION_KEY = "okrbot_action"
VALUE_KEY = "okrbot_value"
ORIGIN_KEY = "okrbot_channel"  # where a form sent to someone's 1:1 chat was asked for
CARD_ACTION_INVOKE = "adaptiveCard/action"
MAX_EVENT_ID = 255
_TAG = re.compile(r"<[^>]*>")
# Private-use characters mark where a mention goes while the HTML is flattened; whatever a
# person typed, these are dropped from it first, so only Teams' entities make mentions.
_SPOT_OPEN, _SPOT_CLOSE = "\ue000", "\ue001"
_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


def text_of(payload: Any, *path: str) -> str:
    """Walk ``payload`` along ``path``; anything missing or not a string reads as ""."""
    node: Any = payload
    for key in path:
        if not isinstance(node, Mapping):
            return ""
        node = node.get(key)
    return node if isinstance(node, str) else ""


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


def bot_mentions(activity: Mapping[str, Any]) -> list[str]:
    """The texts (``<at>okrbot</at>``) of the mention entities that mention this bot."""
    bot_id = text_of(activity, "recipient", "id")
    entities = activity.get("entities")
    if not bot_id or not isinstance(entities, list):
        return []
    return [
        text_of(e, "text")
        for e in entities
        if isinstance(e, Mapping)
        and e.get("type") == "mention"
        and text_of(e, "mentioned", "id") == bot_id
        and text_of(e, "text")
    ]


def plain_text(markup: str) -> str:
    """Teams' message HTML as the person typed it: tags dropped, entities unescaped."""
    text = _BREAK.sub("\n", markup)
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def person_mentions(activity: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The mentions of people (not of this bot): (``<at>Grace</at>``, account id, name)."""
    bot_id = text_of(activity, "recipient", "id")
    entities = activity.get("entities")
    if not isinstance(entities, list):
        return []
    return [
        (text_of(e, "text"), text_of(e, "mentioned", "id"), text_of(e, "mentioned", "name"))
        for e in entities
        if isinstance(e, Mapping)
        and e.get("type") == "mention"
        and text_of(e, "mentioned", "id") not in ("", bot_id)
        and text_of(e, "text")
    ]


def clean_text(
    activity: Mapping[str, Any], people: Mapping[str, str] | None = None
) -> tuple[str, bool]:
    """The message text as plain text, and whether it mentioned the bot.

    Mentions of the bot are removed. A mentioned person whose id ``people`` knows (account id
    to user id) becomes ``<@user id|name>``, as the core reads mentions; anyone else stays
    their plain name. User text never turns into a mention: only Teams' own entities do.
    """
    text = text_of(activity, "text").replace(_SPOT_OPEN, "").replace(_SPOT_CLOSE, "")
    mentions = bot_mentions(activity)
    for mention in mentions:
        text = text.replace(mention, " ")
    spots: list[str] = []
    for markup, account, name in person_mentions(activity):
        if markup in text:
            user = (people or {}).get(account)
            spots.append(f"<@{user}|{name}>" if user else name)
            text = text.replace(markup, f"{_SPOT_OPEN}{len(spots) - 1}{_SPOT_CLOSE}", 1)
    plain = plain_text(text)
    for number, shown in enumerate(spots):
        plain = plain.replace(f"{_SPOT_OPEN}{number}{_SPOT_CLOSE}", shown)
    return plain, bool(mentions)


def command_word(text: str) -> str:
    """The command word (``story``) when text is a command, slash or not; else ""."""
    first = text.lstrip().split(maxsplit=1)[0] if text.strip() else ""
    word = first.removeprefix("/").casefold()
    return word if word in COMMAND_WORDS else ""


def to_chat_events(
    activity: Mapping[str, Any],
    received_at: datetime,
    people: Mapping[str, str] | None = None,
) -> list[ChatEvent]:
    """Map one activity Teams posted to the bot: usually one event, one per person who joined.

    ``people`` maps the account ids of mentioned people to their user ids, where known.
    """
    base = _base(activity, received_at)
    if base is None:
        return []
    match activity.get("type"):
        case "message":
            value = activity.get("value")
            if isinstance(value, Mapping):  # a card's Action.Submit, ours or nothing
                return _listed(_submission(value, base))
            return _listed(_message(activity, base, people))
        case "invoke":
            if text_of(activity, "name") != CARD_ACTION_INVOKE:
                return []
            return _listed(_submission(_mapping(activity, "value", "action", "data"), base))
        case "messageReaction":
            return _listed(_reaction(activity, base))
        case "conversationUpdate":
            return _members_joined(activity, base)
    return []


def _listed(event: ChatEvent | None) -> list[ChatEvent]:
    return [event] if event is not None else []


def _mapping(payload: Any, *path: str) -> Mapping[str, Any] | None:
    node: Any = payload
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


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
        "platform": Platform.TEAMS,
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
    activity: Mapping[str, Any], base: dict[str, Any], people: Mapping[str, str] | None
) -> ChatEvent | None:
    if not base["user_id"] or text_of(activity, "from", "role") == "bot":
        return None
    text, mentioned = clean_text(activity, people)
    addressed = base["is_direct"] or mentioned
    is_command = bool(command_word(text)) and (addressed or text.startswith("/"))
    return ChatEvent(
        **base,
        kind=EventKind.COMMAND if is_command else EventKind.MESSAGE,
        text=text,
        mentions_bot=mentioned,
    )


def _submission(data: Any, base: dict[str, Any]) -> ChatEvent | None:
    """An Adaptive Card's Action.Submit: its data and inputs arrive merged in one object."""
    if not isinstance(data, Mapping) or not base["user_id"]:
        return None
    form_id, action_id = text_of(data, FORM_KEY), text_of(data, ACTION_KEY)
    origin = text_of(data, ORIGIN_KEY)
    if origin and origin != base["channel_id"]:  # answered in private, asked for in a channel
        base = {**base, "channel_id": origin, "is_direct": False, "thread_id": ""}
    if form_id:
        reserved = {FORM_KEY, CONTEXT_KEY, ACTION_KEY, VALUE_KEY, ORIGIN_KEY}
        values = {
            str(name): text
            for name, value in data.items()
            if name not in reserved and (text := _input_value(value)) is not None
        }
        return ChatEvent(
            **base,
            kind=EventKind.FORM_SUBMISSION,
            form_id=form_id,
            form_values=values,
            form_context=text_of(data, CONTEXT_KEY),
        )
    if action_id:
        return ChatEvent(
            **base,
            kind=EventKind.BUTTON,
            action_id=action_id,
            action_value=text_of(data, VALUE_KEY),
        )
    return None


def _input_value(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


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
