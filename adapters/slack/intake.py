"""Slack events through the inbox: which are kept at the edge, and handling one once stored.

The edge keeps an Events API ``event_callback`` of a type okrbot listens to (see
:data:`adapters.slack.listeners.EVENT_TYPES`) as Slack sent it, and acks it once it is stored;
calling :class:`SlackIntake` later maps the stored body exactly as the listener would have, hands
the event to the same handler, and sends the replies the same way (after the ack, retried).
Everything else Slack posts (commands, buttons, forms, shortcuts, app uninstalls) still goes
through Bolt, inline, because its answer belongs in the HTTP response.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import answers, inbound, shapes
from adapters.slack.inbound import to_inbound
from adapters.slack.listeners import EVENT_TYPES, Spawn, carry_out
from bot.events import Then, Unreadable
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


__all__ = ["SlackIntake", "kept", "to_inbound"]
