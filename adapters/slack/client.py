"""The Slack Web API with each workspace's own token: calls, and their failures read.

This client has no rate-limit retry handler on purpose. A 429 becomes
:class:`bot.ports.RateLimited` with Slack's ``Retry-After``, and the outbox reschedules that one
message instead of the worker sleeping inside a claimed batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters import failures
from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater

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


def classify(error: SlackApiError, method: str) -> Exception:
    """Turn a Web API error into RateLimited, RetryLater, NotAuthorized or DeliveryFailed.

    Slack answers most failures with 200 and an error code, read first; the HTTP status
    speaks for the rest, as it does for every platform (:func:`adapters.failures.from_status`).
    """
    status = getattr(error.response, "status_code", 200)
    headers = getattr(error.response, "headers", None)
    data = getattr(error.response, "data", None)
    code = data.get("error", "") if isinstance(data, dict) else ""
    if status == 429 or code == "ratelimited":
        return RateLimited(f"{method}: rate limited", failures.retry_after(headers))
    if code in TRANSIENT_ERRORS:
        return RetryLater(f"{method}: {code}")
    by_status = failures.from_status(method, status, headers)
    if isinstance(by_status, RetryLater) or not code:
        return by_status
    if code in AUTH_ERRORS:
        return NotAuthorized(f"{method}: {code}")
    return DeliveryFailed(f"{method}: {code}")


class SlackWeb:
    """Web API calls made with each workspace's own token, on ``base_url``."""

    def __init__(self, tokens: TokenLookup, *, base_url: str, timeout: int = 10) -> None:
        self._tokens = tokens
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._timeout = timeout
        self._session: ClientSession | None = None

    def pool(self) -> ClientSession:
        """One session, so one pool of kept-alive connections, for every call.

        Left to itself the SDK opens a session (a connection, a TLS handshake) per call.
        """
        if self._session is None or self._session.closed:
            self._session = ClientSession(timeout=ClientTimeout(total=self._timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def client(self, workspace_id: str) -> AsyncWebClient:
        token = await self._tokens(workspace_id)
        if not token:
            raise NotAuthorized(f"no Slack token for workspace {workspace_id}")
        return AsyncWebClient(
            token=token,
            base_url=self._base_url,
            timeout=self._timeout,
            session=self.pool(),
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
