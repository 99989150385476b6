"""Bot Framework identity calls, kept off the event loop and bounded in time.

botframework's token checks fetch Microsoft's signing keys with a blocking ``requests.get``
that has no timeout, and its outbound credentials get tokens from the identity provider with
MSAL's blocking client. Run on the event loop, one slow answer from either would stop every
request the process serves (Slack's acks and ``/healthz`` included). So each such call runs in
a small thread pool of its own, and okrbot waits for it a bounded time: a peer that
hangs costs that one request a 503 (the Bot Connector retries) or that one delivery a retry,
never the server. A call that never returns keeps its thread; the pool is kept apart from the
loop's default executor (which resolves host names) so that even then nothing else waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, TypeVar

from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botframework.connector.auth import (
    AuthenticationConstants,
    BotFrameworkAuthentication,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication

log = logging.getLogger(__name__)

IDENTITY_TIMEOUT = 10.0
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="okrbot-identity")

T = TypeVar("T")


class IdentityUnavailable(Exception):
    """The identity provider or the signing keys did not answer in time."""


async def run_blocking(call: Callable[[], T], *, within: float = IDENTITY_TIMEOUT) -> T:
    """Run a blocking identity call in the identity pool; stop waiting after ``within`` s."""
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(loop.run_in_executor(_POOL, call), within)
    except TimeoutError:
        raise IdentityUnavailable(f"no answer within {within:g} s") from None


async def run_apart(
    work: Callable[[], Coroutine[Any, Any, T]], *, within: float = IDENTITY_TIMEOUT
) -> T:
    """Run a coroutine that blocks inside (botframework's) on its own loop in the identity pool."""
    return await run_blocking(lambda: asyncio.run(work()), within=within)


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where Bot Framework tokens come from and are checked; empty means the public cloud's.

    Sovereign clouds (GCC High, DoD) and private test doubles set these.
    """

    openid_metadata_url: str = ""
    token_issuer: str = ""
    login_url: str = ""
    oauth_scope: str = ""


def authentication(
    *,
    app_id: str,
    password: str,
    app_type: str,
    tenant_id: str,
    endpoints: Endpoints | None = None,
) -> BotFrameworkAuthentication:
    """Bot Framework authentication from the bot's identity; an empty id turns it off."""
    if not app_id:
        log.warning(
            "Teams emulator mode: /api/messages accepts unauthenticated activities and replies "
            "only to serviceUrls on this machine (for the local Bot Framework Emulator)"
        )
    configuration = SimpleNamespace(
        APP_ID=app_id,
        APP_PASSWORD=password,
        APP_TYPE=app_type if app_id else "MultiTenant",
        APP_TENANTID=tenant_id,
    )
    where = endpoints or Endpoints()
    overrides = {
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": where.openid_metadata_url,
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": where.token_issuer,
        "TO_CHANNEL_FROM_BOT_LOGIN_URL": where.login_url,
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": where.oauth_scope,
    }
    if any(overrides.values()):
        # Given one, botbuilder wants every endpoint: the others stay the public cloud's.
        for name, default in PUBLIC_CLOUD.items():
            setattr(configuration, name, overrides.get(name) or default)
    return ConfigurationBotFrameworkAuthentication(
        configuration,
        credentials_factory=TimedCredentialsFactory(
            ConfigurationServiceClientCredentialFactory(configuration),
            discover=not where.login_url,
        ),
    )


class TimedCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """botframework's password credentials, with MSAL's HTTP calls bounded in time.

    An authority the operator named (``TO_CHANNEL_FROM_BOT_LOGIN_URL``) is the operator's word:
    MSAL does not ask Microsoft's instance discovery about it (``discover`` False), which a
    sovereign cloud's or a private double's login host would otherwise need to pass.
    """

    def __init__(self, made: MicrosoftAppCredentials, *, discover: bool) -> None:
        super().__init__(made.microsoft_app_id, made.microsoft_app_password, None, made.oauth_scope)
        self.oauth_endpoint = made.oauth_endpoint
        self._discover = discover

    def get_access_token(self, force_refresh: bool = False) -> str:
        if getattr(self, "app", None) is None:
            self.app = ConfidentialClientApplication(
                client_id=self.microsoft_app_id,
                client_credential=self.microsoft_app_password,
                authority=self.oauth_endpoint,
                timeout=IDENTITY_TIMEOUT,
                instance_discovery=None if self._discover else False,
            )
        return str(super().get_access_token(force_refresh))


class TimedCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """The configured factory, whose password credentials become :class:`TimedCredentials`."""

    def __init__(self, inner: ServiceClientCredentialsFactory, *, discover: bool) -> None:
        self._inner = inner
        self._discover = discover

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(await self._inner.is_valid_app_id(app_id))

    async def is_authentication_disabled(self) -> bool:
        return bool(await self._inner.is_authentication_disabled())

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        made = await self._inner.create_credentials(
            app_id, oauth_scope, login_endpoint, validate_authority
        )
        if isinstance(made, MicrosoftAppCredentials) and made.microsoft_app_id:
            return TimedCredentials(made, discover=self._discover)
        return made


PUBLIC_CLOUD = {
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": (
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    ),
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
    "TO_CHANNEL_FROM_BOT_LOGIN_URL": AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
    "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
    "OAUTH_URL": AuthenticationConstants.OAUTH_URL,
    "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": (
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    ),
}
