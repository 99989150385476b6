"""What okrbot remembers of each conversation and person, to message them later.

:func:`sighting` reads, from any activity Teams posts, where the conversation lives (its
``serviceUrl``), what it is (personal, channel, group chat) and who wrote. The composition
stores it through :class:`ReferenceStore`, so that prompts and digests can be sent when
nobody is talking to the bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from adapters.payloads import text_of
from adapters.teams.inbound import channel_of, tenant_of, user_of


class ConversationKind(StrEnum):
    PERSONAL = "personal"
    CHANNEL = "channel"
    GROUP_CHAT = "groupChat"


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation the bot is in, and how to reach it."""

    tenant_id: str
    conversation_id: str
    kind: ConversationKind
    service_url: str
    bot_id: str
    bot_name: str = ""
    user_id: str = ""  # the person, for a personal conversation


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the bot has seen: their Teams account id (``29:…``) and their timezone."""

    tenant_id: str
    user_id: str
    account_id: str
    service_url: str
    timezone: str = ""


@dataclass(frozen=True, slots=True)
class Sighting:
    conversation: Conversation
    person: Person | None


class ReferenceStore(Protocol):
    """Where conversation references live (the composition keeps them in the database)."""

    async def remember(self, sighting: Sighting) -> None: ...

    async def conversation(self, tenant_id: str, conversation_id: str) -> Conversation | None: ...

    async def personal(self, tenant_id: str, user_id: str) -> Conversation | None: ...

    async def any_conversation(self, tenant_id: str) -> Conversation | None: ...

    async def person(self, tenant_id: str, user_id: str) -> Person | None: ...


def kind_of(activity: Mapping[str, Any]) -> ConversationKind:
    kind = text_of(activity, "conversation", "conversationType")
    try:
        return ConversationKind(kind)
    except ValueError:  # the emulator sends none: a conversation with the bot alone
        return ConversationKind.PERSONAL


def timezone_of(activity: Mapping[str, Any]) -> str:
    """The sender's IANA timezone: ``localTimezone``, else a ``clientInfo`` entity's."""
    zone = text_of(activity, "localTimezone")
    entities = activity.get("entities")
    for entity in entities if isinstance(entities, list) and not zone else []:
        if isinstance(entity, Mapping) and entity.get("type") == "clientInfo":
            zone = text_of(entity, "timezone")
            break
    return zone if len(zone) <= 64 else ""


def sighting(activity: Mapping[str, Any]) -> Sighting | None:
    """What to remember from one activity; None when it names no reachable conversation."""
    tenant = tenant_of(activity) or (
        "emulator" if text_of(activity, "channelId") == "emulator" else ""
    )
    service_url = text_of(activity, "serviceUrl")
    conversation_id = channel_of(activity)
    bot_id = text_of(activity, "recipient", "id")
    if not (tenant and service_url and conversation_id and bot_id):
        return None
    kind = kind_of(activity)
    sender = activity.get("from")
    user_id, account_id = user_of(sender), text_of(sender, "id")
    is_person = bool(account_id) and text_of(sender, "role") != "bot" and account_id != bot_id
    conversation = Conversation(
        tenant_id=tenant,
        conversation_id=conversation_id,
        kind=kind,
        service_url=service_url,
        bot_id=bot_id,
        bot_name=text_of(activity, "recipient", "name"),
        user_id=user_id if kind is ConversationKind.PERSONAL and is_person else "",
    )
    person = (
        Person(tenant, user_id, account_id, service_url, timezone_of(activity))
        if is_person
        else None
    )
    return Sighting(conversation, person)
