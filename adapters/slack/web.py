"""The Slack Web API out: a ChatPort for the outbox and a Directory for the scheduler.

Rate limits: this client has no rate-limit retry handler on purpose. A 429 becomes
:class:`bot.ports.RetryLater` with Slack's ``Retry-After``, and the outbox reschedules that one
message instead of the worker sleeping inside a claimed batch. Messages to one channel are
spaced about a second apart by :class:`bot.clock.Pacer`, as Slack asks.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from bot.clock import Pacer
from bot.ports import DeliveryFailed, RetryLater
from bot.replies import Reply

SLACK_INTERVAL = 1.0  # Slack asks for about one message a second per channel
log = logging.getLogger(__name__)

TokenLookup = Callable[[str], Awaitable[str | None]]
"""Find the bot token of a workspace (by its workspace key); None when it has none."""

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


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
        return RetryLater(f"{method}: rate limited", retry_after=retry_after(error))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return RetryLater(f"{method}: {code or status}")
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
            raise DeliveryFailed(f"no Slack token for workspace {workspace_id}")
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
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        answer = await self._web.call(
            workspace_id, "chat.postMessage", channel=channel_id, **blocks.message(reply)
        )
        return str(answer.get("ts", ""))

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        opened = await self._web.call(workspace_id, "conversations.open", users=user_id)
        channel = opened.get("channel", {})
        channel_id = channel.get("id", "") if isinstance(channel, dict) else ""
        if not channel_id:
            raise DeliveryFailed(f"conversations.open gave no channel for {user_id}")
        return await self.send(workspace_id, channel_id, reply)

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None:
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        await self._web.call(
            workspace_id, "chat.update", channel=channel_id, ts=message_id, **blocks.message(reply)
        )


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
