"""Teams activities through the inbox: which are kept at the edge, and handling one once stored.

An activity whose answer is not the HTTP response (a message: a command typed, a story told, a
card's Action.Submit; people joining; a reaction; the app installed) is kept in the inbox as
Teams sent it, once its token has been checked, and acked at once. Calling :class:`TeamsIntake`
later handles the stored activity as its turn would have (:class:`adapters.teams.turns.Turns`)
and answers it through the Bot Connector at the activity's ``serviceUrl``, threaded on the
activity as a reply in the turn would be (:class:`StoredTurn`); private answers still go to
the person's 1:1 chat. The replies leave after the handling is committed, each conversation's
in the order its activities were handled. Invokes (a card's Universal Action) stay inline:
their answer is the HTTP response.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from botbuilder.schema import Activity

from adapters.payloads import text_of
from adapters.teams import inbound
from adapters.teams.client import Connectors, fresh_token
from adapters.teams.settings import TEAMS
from adapters.teams.turns import Turns
from bot.events import Inbound, Then, Unreadable, read_json
from bot.ports import RetryLater, Unavailable

log = logging.getLogger(__name__)

KEPT_TYPES = frozenset({"message", "conversationUpdate", "messageReaction", "installationUpdate"})
MAX_KEY = 128  # the inbox's workspace and conversation columns

Spawn = Callable[[Coroutine[Any, Any, None]], None]


def kept(activity: Mapping[str, Any]) -> bool:
    """Whether an activity goes through the inbox: a type answered apart from the HTTP response,
    with an id to tell a retry by and a tenant to keep it under."""
    return (
        activity.get("type") in KEPT_TYPES
        and bool(inbound.event_id_of(activity))
        and bool(_workspace(activity))
    )


def to_inbound(activity: Mapping[str, Any], raw: str, received_at: datetime) -> Inbound:
    """The inbox row of a kept activity: keyed by its id within its conversation and tenant;
    in order per channel (a channel's threads are one conversation, as for the teams bound to
    it), else per chat."""
    return Inbound(
        platform=TEAMS,
        workspace_id=_workspace(activity),
        event_id=inbound.event_id_of(activity),
        conversation=_bounded(inbound.channel_of(activity)),
        body=raw,
        received_at=received_at,
    )


class StoredTurn:
    """A kept activity's turn after the fact: the Bot Connector at its ``serviceUrl``."""

    def __init__(self, connectors: Connectors, activity: Mapping[str, Any]) -> None:
        self._connectors = connectors
        self._activity = activity
        self._service_url = text_of(activity, "serviceUrl")
        self._conversation = text_of(activity, "conversation", "id")

    def _outgoing(self, message: Mapping[str, Any]) -> Activity:
        """A message addressed as a reply in the turn is: from the bot, to the person, here."""
        activity = self._activity
        return Activity().deserialize(
            {
                "type": "message",
                **message,
                "channelId": activity.get("channelId"),
                "serviceUrl": self._service_url,
                "conversation": activity.get("conversation"),
                "from": activity.get("recipient"),
                "recipient": activity.get("from"),
                "replyToId": activity.get("id"),
            }
        )

    async def send(self, activity: Mapping[str, Any]) -> None:
        outgoing, replied = self._outgoing(activity), text_of(self._activity, "id")
        await self._connectors.call(
            self._service_url,
            "reply_to_activity",
            lambda c: c.reply_to_activity(self._conversation, replied, outgoing),
        )

    async def update(self, activity: Mapping[str, Any]) -> None:
        outgoing, updated = self._outgoing(activity), text_of(activity, "id")
        await self._connectors.call(
            self._service_url,
            "update_activity",
            lambda c: c.update_activity(self._conversation, updated, outgoing),
        )

    async def member(self, account: str) -> str:
        found = await self._connectors.call(
            self._service_url,
            "get_conversation_member",
            lambda c: c.get_conversation_member(self._conversation, account),
        )
        return str(getattr(found, "aad_object_id", "") or "")

    async def answer_invoke(self, status: int, body: Mapping[str, Any]) -> None:
        raise RuntimeError("an invoke is answered in its request, never from the inbox")


class TeamsIntake:
    """Handle a stored activity: its events to the core, its replies through the connector.

    Not ``batched``: a turn asks Teams who is mentioned and keeps the conversation's reference
    in its own transaction, so each activity's events are committed as the core's unit of work
    commits them, one transaction each, and never wait on Teams inside a shared transaction.
    """

    batched = False

    def __init__(self, turns: Turns, connectors: Connectors, spawn: Spawn) -> None:
        self._turns = turns
        self._connectors = connectors
        self._spawn = spawn
        self._last: dict[str, asyncio.Future[None]] = {}  # each conversation's latest replies

    async def __call__(self, body: str, received_at: datetime) -> Then | None:
        try:
            activity = read_json(body)
        except Unreadable:  # it was read at the edge; a body that changed since is nothing
            log.warning("an inbox body of Teams' can no longer be read; dropped")
            return None
        turn = StoredTurn(self._connectors, activity)
        await self._token(text_of(activity, "serviceUrl"))
        handled = await self._turns.take(turn, activity, received_at)  # committed, or it raises

        async def answer() -> None:
            conversation = text_of(activity, "conversation", "id")
            self._in_order(conversation, self._turns.answer(turn, activity, handled))

        return answer

    async def _token(self, service_url: str) -> None:
        """No token, no handling: the row waits (no try counted) and the answers are not lost."""
        try:
            await fresh_token(await self._connectors.client(service_url))
        except RetryLater as error:
            raise Unavailable(str(error)) from None

    def _in_order(self, conversation: str, work: Coroutine[Any, Any, None]) -> None:
        """Send a conversation's replies after those of the activity handled before it."""
        before = self._last.get(conversation)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[conversation] = done

        async def after() -> None:
            try:
                if before is not None:
                    await asyncio.shield(before)
                await work
            except Exception:  # the activity is handled; only its answer is lost
                log.exception("could not answer a Teams activity from the inbox")
            finally:
                work.close()  # nothing, once it ran; a stop before it began drops it
                if not done.done():
                    done.set_result(None)
                if self._last.get(conversation) is done:
                    del self._last[conversation]

        self._spawn(after())


def _workspace(activity: Mapping[str, Any]) -> str:
    tenant = inbound.tenant_of(activity)
    if not tenant and text_of(activity, "channelId") == "emulator":
        tenant = "emulator"  # the Bot Framework Emulator sends no tenant
    return _bounded(tenant)


def _bounded(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
