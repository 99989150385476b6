"""What Teams posts to ``/api/messages``, as far as botbuilder and okrbot read it.

botbuilder deserializes an activity leniently and then trusts it: a ``conversation`` that is a
string or a ``from`` that is a number surfaces as an exception deep inside a turn. So the
edge parses each body within bounds (:mod:`bot.events`) and checks it against these
pydantic models first; an activity that does not fit is answered 400 before botbuilder sees it.
The models are strict about the fields botbuilder and the mappers read and allow every other
field, since the Bot Framework adds fields over time.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from adapters.shaping import PRINTABLE, Shape, problem

# okrbot stores tenant, conversation and person ids in columns of 128 characters; Teams' own
# are shorter (a channel's ``19:…@thread.tacv2``, a person's Entra object id).
Id = Annotated[str, StringConstraints(max_length=128, pattern=PRINTABLE)]


class Account(Shape):
    id: Id | None = None
    name: str | None = None
    aad_object_id: Id | None = Field(default=None, alias="aadObjectId")
    role: str | None = None


class Conversation(Shape):
    id: Id | None = None
    name: str | None = None
    conversation_type: str | None = Field(default=None, alias="conversationType")
    tenant_id: Id | None = Field(default=None, alias="tenantId")
    is_group: bool | None = Field(default=None, alias="isGroup")


class Named(Shape):
    id: Id | None = None
    name: str | None = None


class ChannelData(Shape):
    tenant: Named | None = None
    channel: Named | None = None
    team: Named | None = None


class Mention(Shape):
    type: str | None = None
    text: str | None = None
    mentioned: Account | None = None


class Reaction(Shape):
    type: str | None = None


class Activity(Shape):
    """One activity; ``type`` is the only field every activity has."""

    type: str = Field(min_length=1)
    id: Id | None = None
    channel_id: str | None = Field(default=None, alias="channelId")
    service_url: str | None = Field(default=None, alias="serviceUrl")
    timestamp: str | None = None
    local_timezone: str | None = Field(default=None, alias="localTimezone")
    sender: Account | None = Field(default=None, alias="from")
    recipient: Account | None = None
    conversation: Conversation | None = None
    channel_data: ChannelData | None = Field(default=None, alias="channelData")
    entities: list[Mention] | None = None
    members_added: list[Account] | None = Field(default=None, alias="membersAdded")
    members_removed: list[Account] | None = Field(default=None, alias="membersRemoved")
    reactions_added: list[Reaction] | None = Field(default=None, alias="reactionsAdded")
    reactions_removed: list[Reaction] | None = Field(default=None, alias="reactionsRemoved")
    reply_to_id: Id | None = Field(default=None, alias="replyToId")
    text: str | None = None
    text_format: str | None = Field(default=None, alias="textFormat")
    name: str | None = None
    locale: str | None = None
    attachments: list[dict[str, Any]] | None = None
    value: Any = None


def check(body: object) -> str | None:
    """Say what is wrong with a parsed activity's shape, or None when botbuilder may read it."""
    return problem(Activity, body, "the activity")
