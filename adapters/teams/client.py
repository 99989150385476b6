"""The Bot Connector with the bot's credentials: calls, and their failures read.

Every message goes to the conversation's own ``serviceUrl`` through botbuilder's
ConnectorClient, with the bot's credentials when ``MICROSOFT_APP_ID`` is set. Throttling (429,
and 412 or 503 with a ``Retry-After``) becomes :class:`bot.ports.RateLimited`, other 5xx, 408
and a lost connection :class:`bot.ports.RetryLater`; 401 (the bot's credentials) becomes
:class:`bot.ports.NotAuthorized`, 403 and 404 (the bot was removed, the chat is gone)
:class:`bot.ports.DeliveryFailed` (:func:`adapters.failures.from_status`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import ClientResponseError
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)

from adapters import failures
from adapters.teams import identity
from adapters.teams.throttle import TenantThrottle
from bot.ports import DeliveryFailed, RateLimited, RetryLater

TIMEOUT = 10
IN_TURN_PATIENCE = 10.0
"""Seconds a reply inside a turn may wait out throttling: Teams waits 15 for the turn's answer."""
IN_TURN_CALL = 4.0
"""Seconds one try at a reply inside a turn may take."""
T = TypeVar("T")


def classify(error: Exception, call: str) -> Exception:
    """Turn a connector failure into RateLimited, RetryLater, NotAuthorized or DeliveryFailed."""
    status: object
    headers: Any
    if isinstance(error, ClientResponseError):  # the Agents SDK's connector (aiohttp)
        status, headers = error.status, error.headers
    else:  # botframework's (msrest)
        response = getattr(error, "response", None)
        status, headers = getattr(response, "status_code", None), getattr(response, "headers", None)
    if not isinstance(status, int) or status <= 0:  # no answer at all: the network, a timeout
        return RetryLater(f"{call}: {type(error).__name__}")
    return failures.from_status(call, status, headers)


async def patiently(
    work: Callable[[], Awaitable[T]],
    *,
    patience: float | None = None,
    each: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Make a connector call, waiting out throttling and passing trouble for ``patience`` s.

    Each try is bounded by ``each`` seconds too: a ``serviceUrl`` that takes the request and
    never answers would otherwise hold the turn past the connector's own wait for it.
    """
    patience = IN_TURN_PATIENCE if patience is None else patience
    return await failures.patiently(
        work,
        read=_reply_failure,
        patience=patience,
        longest=patience,
        each=IN_TURN_CALL if each is None else each,
        sleep=sleep,
    )


def _reply_failure(error: Exception) -> Exception:
    """What a failed reply in a turn means: the port's own verdicts stand, the rest is read."""
    if isinstance(error, RetryLater | DeliveryFailed):
        return error
    return classify(error, "reply")


async def fresh_token(client: ConnectorClient) -> None:
    """Get the bot's token off the loop, so the call itself finds it in MSAL's cache.

    botframework asks MSAL for it inside the call, blocking, with no timeout; a failure here is
    :class:`bot.ports.RetryLater`. Without a bot identity (the emulator's mode) there is none.
    """
    credentials = client.config.credentials
    if not getattr(credentials, "microsoft_app_id", ""):
        return
    try:
        await identity.run_blocking(credentials.get_access_token)
    except identity.IdentityUnavailable as error:
        raise RetryLater(f"the bot's token: {error}") from None
    except Exception as error:  # refused credentials, or the provider is away
        raise RetryLater(f"the bot's token: {type(error).__name__}") from None


class Connectors:
    """ConnectorClients for each service URL, with the bot's credentials (none without an id).

    ``reachable`` says which service URLs may be called at all; without a bot identity nothing
    vouches for a URL a caller named, so the composition allows only this machine then. Calls
    that name their tenant are paced and paused per tenant (:mod:`adapters.teams.throttle`).
    """

    def __init__(
        self,
        auth: BotFrameworkAuthentication,
        app_id: str,
        *,
        reachable: Callable[[str], bool] | None = None,
        throttle: TenantThrottle | None = None,
    ) -> None:
        self._reachable = reachable
        self._throttle = throttle or TenantThrottle()
        claims = ClaimsIdentity(
            {
                AuthenticationConstants.AUDIENCE_CLAIM: app_id,
                AuthenticationConstants.APP_ID_CLAIM: app_id,
            },
            True,
        )
        self._factory = auth.create_connector_factory(claims)
        self._clients: dict[str, ConnectorClient] = {}

    def may_call(self, service_url: str) -> bool:
        return self._reachable is None or self._reachable(service_url)

    async def client(self, service_url: str) -> ConnectorClient:
        if not self.may_call(service_url):
            raise DeliveryFailed(f"okrbot does not send to {service_url} without a bot identity")
        if service_url not in self._clients:
            client = await self._factory.create(service_url, None)
            client.config.connection.timeout = TIMEOUT
            self._clients[service_url] = client
        return self._clients[service_url]

    async def call(
        self,
        service_url: str,
        call: str,
        work: Callable[[Any], Awaitable[Any]],
        *,
        tenant: str = "",
    ) -> Any:
        """Run one connector call; its failures come out as RetryLater or DeliveryFailed.

        With ``tenant`` named, the call waits its turn in the tenant's pace, and a throttled
        answer pauses the whole tenant.
        """
        client = await self.client(service_url)
        await fresh_token(client)
        if tenant:
            await self._throttle.wait(tenant)
        try:
            return await work(client.conversations)
        except (RetryLater, DeliveryFailed):
            raise
        except Exception as error:
            failure = classify(error, call)
            if tenant and isinstance(failure, RateLimited):
                self._throttle.pause(tenant, failure.retry_after)
            raise failure from None

    async def close(self) -> None:
        for client in self._clients.values():
            await client.__aexit__(None, None, None)  # closes its HTTP session
        self._clients.clear()
