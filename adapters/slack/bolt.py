"""Build the slack-bolt AsyncApp that serves Slack over HTTP and Socket Mode alike."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners import SlackListeners

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def listener_client(api_url: str, token: str | None = None) -> AsyncWebClient:
    """The client listeners reply with, after the ack.

    Replies run in the background, so here a 429 may wait out ``Retry-After`` (twice at most);
    the outbox's client does not wait, it reschedules.
    """
    return AsyncWebClient(
        token=token or None,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    scopes: str,
    installation_store: AsyncInstallationStore,
    state_store: AsyncOAuthStateStore,
) -> AsyncOAuthSettings:
    """OAuth v2 for many workspaces: /slack/install and /slack/oauth_redirect."""
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=[s.strip() for s in scopes.split(",") if s.strip()],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store,
        installation_store_bot_only=True,
        state_store=state_store,
    )


async def unavailable(error: Exception) -> BoltResponse:
    """Answer 503 when the core could not handle a request, so that Slack retries it."""
    log.error("could not handle a Slack request (%s); answering 503", type(error).__name__)
    return BoltResponse(status=503, body="okrbot cannot handle this right now; please retry")


def create_app(
    *,
    listeners: SlackListeners,
    signing_secret: str,
    api_url: str,
    token: str = "",
    oauth: AsyncOAuthSettings | None = None,
) -> AsyncApp:
    """Create the app with one bot token, or with OAuth and an installation store."""
    if oauth is not None:
        app = AsyncApp(
            signing_secret=signing_secret,
            client=listener_client(api_url),
            oauth_settings=oauth,
            installation_store=oauth.installation_store,
            installation_store_bot_only=True,
            process_before_response=True,
        )
        app.enable_token_revocation_listeners()  # app_uninstalled, tokens_revoked
    else:
        app = AsyncApp(
            signing_secret=signing_secret,
            client=listener_client(api_url, token),
            process_before_response=True,
        )
    app.error(unavailable)
    listeners.register(app)
    return app
