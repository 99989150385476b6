"""Build the slack-bolt AsyncApp that serves Slack over HTTP and Socket Mode alike."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners import RECEIVED, SlackListeners
from adapters.slack.settings import INSTALL_PATH, REDIRECT_PATH
from bot.ports import Unavailable

log = logging.getLogger(__name__)

# Named, or Bolt names the app after its caller's file with inspect.stack(), which resolves the
# source file of every frame against every module loaded: a third of okrbot's start after imports.
NAME = "okrbot"


class PooledClient(AsyncWebClient):
    """A Web API client whose calls all go through one kept-alive session, ``pool()``'s.

    Bolt gives each request a client of its own with this one's ``session``; left at None,
    every reply after an ack would open a new connection (and a TLS handshake) and close it.
    The pool is asked when a request needs it, inside the running event loop.
    """

    def __init__(self, pool: Callable[[], ClientSession] | None, **options: Any) -> None:
        self._pool = pool
        self._session: ClientSession | None = None
        super().__init__(**options)

    @property
    def session(self) -> ClientSession | None:
        if self._pool is None:
            return self._session
        try:
            return self._pool()
        except RuntimeError:  # no event loop running yet: nothing is sent now anyway
            return None

    @session.setter
    def session(self, session: ClientSession | None) -> None:
        self._session = session


def listener_client(
    api_url: str, token: str | None = None, pool: Callable[[], ClientSession] | None = None
) -> AsyncWebClient:
    """The client listeners reply with, after the ack, on ``pool``'s session when given.

    It retries no 429 itself: the listeners wait out each ``Retry-After`` for as long as a
    reply is worth sending (``listeners.REPLY_PATIENCE``); the outbox's client reschedules.
    """
    return PooledClient(
        pool,
        token=token or None,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        retry_handlers=[AsyncConnectionErrorRetryHandler()],
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


async def failed(error: Exception) -> BoltResponse:
    """Answer 503 while the database is away, so Slack retries; anything else is a bug: 500.

    A bug is logged with its traceback, once; the edge has already refused every body it could
    not read, so no retry of Slack's repeats it for want of a 4xx.
    """
    if isinstance(error, Unavailable):
        log.warning("could not handle a Slack request now: %s; answering 503", error)
        return BoltResponse(status=503, body="okrbot cannot handle this right now; please retry")
    log.error("a Slack request failed; answering 500", exc_info=error)
    return BoltResponse(status=500, body="okrbot failed to handle this request")


async def uninstalled(body: dict[str, Any], ack: AsyncAck) -> None:
    """Tell the operator that the one bot token died with the app's uninstall.

    The token lives in the environment, so there is nothing to delete; answering 200 stops
    Slack from sending the event again.
    """
    await ack()
    log.error(
        "okrbot was uninstalled from Slack workspace %s, so SLACK_BOT_TOKEN no longer works: "
        "reinstall the app and set its new bot token, or unset SLACK_BOT_TOKEN",
        body.get("team_id") or "(unknown)",
    )


async def tokens_revoked(body: dict[str, Any], event: dict[str, Any], ack: AsyncAck) -> None:
    """Tell the operator when the one bot token is revoked; okrbot holds no user tokens."""
    await ack()
    tokens = event.get("tokens") or {}
    workspace = body.get("team_id") or "(unknown)"
    if isinstance(tokens, dict) and tokens.get("bot"):
        log.error(
            "the Slack bot token of workspace %s was revoked, so SLACK_BOT_TOKEN no longer "
            "works: reinstall the app and set its new bot token",
            workspace,
        )
    else:
        log.info("Slack revoked user tokens in workspace %s; okrbot holds none", workspace)


def create_app(
    *,
    listeners: SlackListeners,
    api_url: str,
    token: str = "",
    oauth: AsyncOAuthSettings | None = None,
    pool: Callable[[], ClientSession] | None = None,
) -> AsyncApp:
    """Create the app with one bot token, or with OAuth and an installation store.

    Bolt's own check of the request signature is off: :class:`adapters.slack.edge.SlackEdge`
    checks every HTTP request before Bolt sees it, and Socket Mode carries no signature.
    Replies after an ack share ``pool``'s session (the one the Web API client keeps open).
    """
    if oauth is not None:
        app = AsyncApp(
            name=NAME,
            signing_secret="",
            request_verification_enabled=False,
            client=listener_client(api_url, pool=pool),
            oauth_settings=oauth,
            installation_store=oauth.installation_store,
            installation_store_bot_only=True,
            process_before_response=True,
        )
        app.enable_token_revocation_listeners()  # app_uninstalled, tokens_revoked
    else:
        app = AsyncApp(
            name=NAME,
            signing_secret="",
            request_verification_enabled=False,
            client=listener_client(api_url, token, pool),
            process_before_response=True,
        )
        # Slack sends these to every app subscribed to them, so each must get its 200 here too.
        app.event("app_uninstalled")(uninstalled)
        app.event("tokens_revoked")(tokens_revoked)
    app.error(failed)
    listeners.register(app)
    return app


async def dispatch(app: AsyncApp, request: web.Request, received: float) -> web.Response:
    """Hand a verified request to ``app`` through Bolt's converters for aiohttp."""
    try:
        bolt_request = await to_bolt_request(request)
    except ValueError:  # json.JSONDecodeError included
        return web.Response(status=400, text="malformed body")
    bolt_request.context[RECEIVED] = received  # the listeners' deadline counts from here
    return await to_aiohttp_response(await app.async_dispatch(bolt_request))


async def oauth(app: AsyncApp, request: web.Request) -> web.Response:
    """OAuth's install page and redirect, or 404 when the app has no OAuth flow."""
    flow = app.oauth_flow
    if flow is None:
        return web.Response(status=404, text="Slack OAuth is not configured")
    bolt_request = await to_bolt_request(request)
    if request.path == flow.install_path:
        return await to_aiohttp_response(await flow.handle_installation(bolt_request))
    return await to_aiohttp_response(await flow.handle_callback(bolt_request))
