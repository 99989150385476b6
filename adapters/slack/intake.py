"""Slack events through the inbox: which are kept at the edge, and handling one once stored.

The edge keeps an Events API ``event_callback`` of a type okrbot listens to (see
:data:`adapters.slack.listeners.EVENT_TYPES`) as Slack sent it, and acks it once it is stored.
It reads only what the inbox row needs (:func:`row`): the ids, checked as ids, and whether
okrbot acts on the event at all. Calling :class:`SlackIntake` later checks the whole body's shape,
maps it exactly as the listener would have, hands the event to the same handler, and sends the
replies the same way once committed (after the ack, retried); a body that does not fit is
dropped there.
Everything else Slack posts (commands, buttons, forms, shortcuts, app uninstalls) still goes
through Bolt, inline, because its answer belongs in the HTTP response.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.payloads import first, text_of
from adapters.slack import answers, inbound, shapes
from adapters.slack.inbound import to_inbound
from adapters.slack.listeners import EVENT_TYPES, Spawn, carry_out
from adapters.slack.settings import SLACK
from bot.events import Inbound, Then, Unreadable
from bot.ports import EventHandler

log = logging.getLogger(__name__)

Clients = Callable[[str], Awaitable[AsyncWebClient]]
"""The Web API client of a workspace (by its workspace key), with that workspace's token."""


def kept(parsed: Mapping[str, Any]) -> bool:
    """Whether a body goes through the inbox: an event callback of a type okrbot listens to."""
    if parsed.get("type") != "event_callback":
        return False
    event = parsed.get("event")
    return isinstance(event, Mapping) and event.get("type") in EVENT_TYPES


class Unfit(ValueError):
    """An event callback whose ids okrbot cannot read: acked (Slack would only send it again)
    and dropped."""


def row(parsed: dict[str, Any], body: str, received_at: datetime) -> Inbound | None:
    """The inbox row of a kept event callback; None for an event okrbot ignores (a bot's
    message, an edit), which is acked and never stored.

    Gives what :func:`adapters.slack.inbound.to_inbound` gives of a body that fits its shape,
    from the few fields the row needs, without mapping the event (tests/adapters/slack hold the
    two to one answer). Raises Unfit when one of those fields breaks the shape's rules: an id
    that is not a printable string of at most 60 characters (a column, a Web API URL), a user
    or a channel that is neither an id nor an object.
    """
    event = parsed["event"]
    authorization = first(parsed.get("authorizations"))
    item = event.get("item")
    channel = item.get("channel") if isinstance(item, dict) else None
    named = (event.get("user"), event.get("channel"), channel)
    if not (
        _id(parsed.get("event_id"), optional=False)
        and _id(parsed.get("team_id"))
        and _id(parsed.get("enterprise_id"))
        and _id(authorization.get("team_id"))
        and _id(authorization.get("enterprise_id"))
        and (item is None or isinstance(item, dict))
        and all(isinstance(name, dict) or _id(name) for name in named)
    ):
        raise Unfit("an id the inbox reads is not an id")
    workspace = inbound.workspace_of(parsed, authorization)
    user, event_id = text_of(event, "user"), parsed["event_id"]
    if not (workspace and user and event_id) or not inbound.handled(event):
        return None
    conversation = inbound.conversation_of(event) or user
    return Inbound(SLACK, workspace, event_id, conversation, body, received_at)


_ID = re.compile(r"[!-~]{0,60}")  # shapes.Id: printable ASCII, at most 60 characters


def _id(value: Any, *, optional: bool = True) -> bool:
    if value is None:
        return optional
    return isinstance(value, str) and _ID.fullmatch(value) is not None


class SlackIntake:
    """Handle a stored Slack event: map it, hand it to the core; its replies once committed.

    Mapping an event opens no session and asks Slack nothing, so the inbox's worker may handle
    several in one transaction (``batched``); the Web API client is found after the commit.
    """

    batched = True

    def __init__(self, handle: EventHandler, clients: Clients, spawn: Spawn) -> None:
        self._handle = handle
        self._clients = clients
        self._spawn = spawn

    async def __call__(self, body: str, received_at: datetime) -> Then | None:
        try:
            parsed = shapes.parse(body, "")  # as the edge read it: JSON, or a form's payload
        except Unreadable:  # it was read at the edge; a body that changed since is nothing
            log.warning("an inbox body of Slack's can no longer be read; dropped")
            return None
        problem = shapes.check(parsed)  # the edge read only the ids: the rest is checked here
        if problem is not None:
            log.info("dropped a Slack event okrbot cannot read (%s)", problem)
            return None
        event = inbound.from_event_callback(parsed, received_at)
        if event is None:
            return None
        outcome = await self._handle(event)  # done, or it raises and the row is retried
        plan = answers.plan(event, outcome)
        if not plan.calls:
            return None

        async def reply() -> None:
            client = await self._clients(event.workspace_id)
            self._spawn(carry_out(plan.calls, client, None, event.user_id))

        return reply


__all__ = ["SlackIntake", "Unfit", "kept", "row", "to_inbound"]
