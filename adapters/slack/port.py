"""Slack's ChatPort: messages to channels and people through the Web API, for the outbox.

Messages to one channel are spaced about a second apart by :class:`bot.clock.Pacer`, as Slack
asks. Every message the outbox sends carries its mark in Slack's message metadata, so that
after a crash the port can read the conversation's recent history and find a message that went
out but was never recorded, instead of posting it twice.

A person's direct conversation with the app is opened once (``conversations.open``, which Slack
limits per workspace) and its id kept: in memory, and through :class:`DirectChats` in the
composition's database, so a restarted process or another replica does not open it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from cachetools import TTLCache

from adapters.slack import blocks
from adapters.slack.client import SlackWeb
from bot.clock import Pacer
from bot.ports import DeliveryFailed
from bot.replies import Audience, Reply

log = logging.getLogger(__name__)

SLACK_INTERVAL = 1.0  # Slack asks for about one message a second per channel
DIRECT_CHATS_KEPT = 50_000
# A person's conversation with the app keeps its id for good; kept a month, so a quarter's
# reminders and every Monday digest reuse it (one dropped after a refusal is opened afresh).
DIRECT_CHATS_TTL = 30 * 24 * 60 * 60.0
MARK_EVENT = "okrbot_outbox"  # the metadata event_type of messages the outbox sends
HISTORY_PAGE = 20
HISTORY_PAGES = 5  # messages posted after a crash are recent: a hundred is plenty
CLOCK_SKEW = timedelta(minutes=1)  # Slack's clock and ours may disagree a little


class DirectChats(Protocol):
    """Where people's conversations with the app are kept beyond this process (the database).

    A saving, never a condition: when the store fails, the conversation is opened as if it
    had kept nothing.
    """

    async def conversation(self, workspace_id: str, user_id: str) -> str | None: ...
    async def keep(self, workspace_id: str, user_id: str, conversation_id: str) -> None: ...
    async def forget(self, workspace_id: str, user_id: str) -> None: ...


class SlackChatPort:
    """Send replies to Slack channels and people (``chat.postMessage``, ``chat.update``)."""

    def __init__(
        self, web: SlackWeb, pacer: Pacer | None = None, chats: DirectChats | None = None
    ) -> None:
        self._web = web
        self._pacer = pacer or Pacer(SLACK_INTERVAL)
        self._chats = chats
        # A person's conversation with the app keeps its id: open it once, not per message
        # (conversations.open is rate-limited per workspace, and a fan-out sends thousands).
        self._direct: TTLCache[tuple[str, str], str] = TTLCache(
            maxsize=DIRECT_CHATS_KEPT, ttl=DIRECT_CHATS_TTL
        )

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return await self._post(workspace_id, channel_id, reply, {})

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        return await self._post_to(workspace_id, Audience.PERSON, user_id, reply, {})

    async def send_marked(
        self, workspace_id: str, audience: str, target_id: str, reply: Reply, *, key: str
    ) -> str:
        """Post with ``key`` in the message's metadata, where :meth:`find_marked` looks."""
        metadata = {"event_type": MARK_EVENT, "event_payload": {"key": key}}
        return await self._post_to(workspace_id, audience, target_id, reply, {"metadata": metadata})

    async def _post_to(
        self,
        workspace_id: str,
        audience: str,
        target_id: str,
        reply: Reply,
        extra: dict[str, Any],
    ) -> str:
        """Post to a channel, or to a person's DM with the app (opened once, then kept)."""
        if audience != Audience.PERSON:
            return await self._post(workspace_id, target_id, reply, extra)
        known = await self._known(workspace_id, target_id)
        if known:
            try:
                return await self._post(workspace_id, known, reply, extra)
            except DeliveryFailed:  # the conversation is gone: open it afresh, once
                await self._drop(workspace_id, target_id)
        channel_id = await self._open(workspace_id, target_id)
        return await self._post(workspace_id, channel_id, reply, extra)

    async def find_marked(
        self, workspace_id: str, audience: str, target_id: str, *, key: str, since: datetime
    ) -> str | None:
        """The ``ts`` of a message marked ``key`` posted since ``since``, if Slack has one."""
        channel_id = await self._channel(workspace_id, audience, target_id)
        cursor = ""
        for _ in range(HISTORY_PAGES):
            page = await self._web.call(
                workspace_id,
                "conversations.history",
                read=True,
                channel=channel_id,
                oldest=f"{(since - CLOCK_SKEW).timestamp():.6f}",
                inclusive="true",
                limit=HISTORY_PAGE,
                include_all_metadata="true",
                **({"cursor": cursor} if cursor else {}),
            )
            for message in page.get("messages") or []:
                if isinstance(message, dict) and _marked(message, key):
                    return str(message.get("ts", ""))
            metadata = page.get("response_metadata") or {}
            cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
            if not cursor:
                return None
        return None

    async def _channel(self, workspace_id: str, audience: str, target_id: str) -> str:
        if audience != Audience.PERSON:
            return target_id
        return await self._known(workspace_id, target_id) or await self._open(
            workspace_id, target_id
        )

    async def _known(self, workspace_id: str, user_id: str) -> str | None:
        """A person's conversation as this process or the store knows it, if either does."""
        known = self._direct.get((workspace_id, user_id))
        if known or self._chats is None:
            return known
        try:
            kept = await self._chats.conversation(workspace_id, user_id)
        except Exception as error:  # a saving only: open the conversation instead
            log.warning("could not read a kept conversation (%s)", type(error).__name__)
            return None
        if kept:
            self._direct[(workspace_id, user_id)] = kept
        return kept

    async def _drop(self, workspace_id: str, user_id: str) -> None:
        self._direct.pop((workspace_id, user_id), None)
        if self._chats is None:
            return
        try:
            await self._chats.forget(workspace_id, user_id)
        except Exception as error:
            log.warning("could not drop a kept conversation (%s)", type(error).__name__)

    async def _open(self, workspace_id: str, user_id: str) -> str:
        """The direct message channel with a person (Slack answers the same one each time)."""
        opened = await self._web.call(workspace_id, "conversations.open", users=user_id)
        channel = opened.get("channel", {})
        channel_id = channel.get("id", "") if isinstance(channel, dict) else ""
        if not channel_id:
            raise DeliveryFailed(f"conversations.open gave no channel for {user_id}")
        self._direct[(workspace_id, user_id)] = str(channel_id)
        if self._chats is not None:
            try:
                await self._chats.keep(workspace_id, user_id, str(channel_id))
            except Exception as error:  # kept in memory still; a restart opens it again
                log.warning("could not keep a conversation's id (%s)", type(error).__name__)
        return str(channel_id)

    async def _post(
        self, workspace_id: str, channel_id: str, reply: Reply, extra: dict[str, Any]
    ) -> str:
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        answer = await self._web.call(
            workspace_id, "chat.postMessage", channel=channel_id, **blocks.message(reply), **extra
        )
        return str(answer.get("ts", ""))


def _marked(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != MARK_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and payload.get("key") == key
