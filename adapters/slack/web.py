"""The Slack Web API out: a ChatPort for the outbox and a Directory for the scheduler.

Rate limits: this client has no rate-limit retry handler on purpose. A 429 becomes
:class:`bot.ports.RateLimited` with Slack's ``Retry-After``, and the outbox reschedules that one
message instead of the worker sleeping inside a claimed batch. Messages to one channel are
spaced about a second apart by :class:`bot.clock.Pacer`, as Slack asks.

Every message the outbox sends carries its mark in Slack's message metadata, so that after a
crash the port can read the conversation's recent history and find a message that went out
but was never recorded, instead of posting it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from bot.clock import Pacer
from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater
from bot.replies import Audience, Reply

SLACK_INTERVAL = 1.0  # Slack asks for about one message a second per channel
log = logging.getLogger(__name__)

TokenLookup = Callable[[str], Awaitable[str | None]]
"""Find the bot token of a workspace (by its workspace key); None when it has none."""

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
AUTH_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
MARK_EVENT = "okrbot_outbox"  # the metadata event_type of messages the outbox sends
HISTORY_PAGE = 20
HISTORY_PAGES = 5  # messages posted after a crash are recent: a hundred is plenty
CLOCK_SKEW = timedelta(minutes=1)  # Slack's clock and ours may disagree a little


def retry_after(error: SlackApiError) -> float | None:
    """Read ``Retry-After`` (seconds) from a 429 answer."""
    headers = getattr(error.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value if isinstance(value, str) else value[0]))
            except (TypeError, ValueError, IndexError):
                return None
    return None


def classify(error: SlackApiError, method: str) -> Exception:
    """Turn a Web API error into RetryLater (try again) or DeliveryFailed (give up)."""
    status = getattr(error.response, "status_code", 200)
    data = getattr(error.response, "data", None)
    code = data.get("error", "") if isinstance(data, dict) else ""
    if status == 429 or code == "ratelimited":
        return RateLimited(f"{method}: rate limited", retry_after=retry_after(error))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return RetryLater(f"{method}: {code or status}")
    if code in AUTH_ERRORS:
        return NotAuthorized(f"{method}: {code}")
    return DeliveryFailed(f"{method}: {code or status}")


class SlackWeb:
    """Web API calls made with each workspace's own token, on ``base_url``."""

    def __init__(self, tokens: TokenLookup, *, base_url: str, timeout: int = 10) -> None:
        self._tokens = tokens
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._timeout = timeout

    async def client(self, workspace_id: str) -> AsyncWebClient:
        token = await self._tokens(workspace_id)
        if not token:
            raise NotAuthorized(f"no Slack token for workspace {workspace_id}")
        return AsyncWebClient(
            token=token,
            base_url=self._base_url,
            timeout=self._timeout,
            retry_handlers=[AsyncConnectionErrorRetryHandler()],
        )

    async def call(
        self, workspace_id: str, method: str, *, read: bool = False, **arguments: Any
    ) -> dict[str, Any]:
        """Call ``method``; failures come out as RetryLater or DeliveryFailed.

        Read methods take form parameters; write methods take JSON (blocks need it).
        """
        client = await self.client(workspace_id)
        try:
            if read:
                response = await client.api_call(method, params=arguments)
            else:
                response = await client.api_call(method, json=arguments)
        except SlackApiError as error:
            raise classify(error, method) from None
        except (ClientError, TimeoutError) as error:
            raise RetryLater(f"{method}: {type(error).__name__}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}


class SlackChatPort:
    """Send replies to Slack channels and people (``chat.postMessage``, ``chat.update``)."""

    def __init__(self, web: SlackWeb, pacer: Pacer | None = None) -> None:
        self._web = web
        self._pacer = pacer or Pacer(SLACK_INTERVAL)

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return await self._post(workspace_id, channel_id, reply, {})

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        return await self.send(workspace_id, await self._open(workspace_id, user_id), reply)

    async def send_marked(
        self, workspace_id: str, audience: str, target_id: str, reply: Reply, *, key: str
    ) -> str:
        """Post with ``key`` in the message's metadata, where :meth:`find_marked` looks."""
        channel_id = await self._channel(workspace_id, audience, target_id)
        metadata = {"event_type": MARK_EVENT, "event_payload": {"key": key}}
        return await self._post(workspace_id, channel_id, reply, {"metadata": metadata})

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
        if audience == Audience.PERSON:
            return await self._open(workspace_id, target_id)
        return target_id

    async def _open(self, workspace_id: str, user_id: str) -> str:
        """The direct message channel with a person (Slack answers the same one each time)."""
        opened = await self._web.call(workspace_id, "conversations.open", users=user_id)
        channel = opened.get("channel", {})
        channel_id = channel.get("id", "") if isinstance(channel, dict) else ""
        if not channel_id:
            raise DeliveryFailed(f"conversations.open gave no channel for {user_id}")
        return str(channel_id)

    async def _post(
        self, workspace_id: str, channel_id: str, reply: Reply, extra: dict[str, Any]
    ) -> str:
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        answer = await self._web.call(
            workspace_id, "chat.postMessage", channel=channel_id, **blocks.message(reply), **extra
        )
        return str(answer.get("ts", ""))

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None:
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        await self._web.call(
            workspace_id, "chat.update", channel=channel_id, ts=message_id, **blocks.message(reply)
        )


def _marked(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != MARK_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and payload.get("key") == key


class SlackDirectory:
    """Who is in a channel (``conversations.members``) and where people live (``users.info``)."""

    def __init__(self, web: SlackWeb) -> None:
        self._web = web

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        members: list[str] = []
        cursor = ""
        while True:
            page = await self._web.call(
                workspace_id,
                "conversations.members",
                read=True,
                channel=channel_id,
                limit=200,
                **({"cursor": cursor} if cursor else {}),
            )
            members += [m for m in page.get("members", []) if isinstance(m, str)]
            metadata = page.get("response_metadata") or {}
            cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
            if not cursor:
                return members

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        answer = await self._web.call(workspace_id, "users.info", read=True, user=user_id)
        user = answer.get("user") or {}
        zone = user.get("tz") if isinstance(user, dict) else None
        return zone if isinstance(zone, str) and zone else None
