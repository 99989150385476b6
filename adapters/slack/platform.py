"""Slack as the composition sees it: an entry in its list of platforms (``ChatPlatform``).

Slack is on with a bot token, or with OAuth and a key to seal the tokens it stores. It always
sends (the outbox's port, the scheduler's directory); it takes requests when it has a signing
secret (HTTP) or an app token (Socket Mode, opened by ``okrbot serve --socket-mode``). Its
installations and OAuth states are kept in okrbot's database by the composition's glue
(``bot.glue.slack_installations``), handed in as :class:`SlackGlue`, since an adapter does not
reach storage.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic

from aiohttp import web
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.slack import blocks, checks
from adapters.slack.client import SlackWeb
from adapters.slack.demand import BoltOnDemand
from adapters.slack.directory import SlackDirectory
from adapters.slack.edge import SlackEdge
from adapters.slack.intake import SlackIntake
from adapters.slack.listeners import SlackListeners
from adapters.slack.port import DirectChats, SlackChatPort
from adapters.slack.settings import (
    EVENTS_PATH,
    INSTALL_PATH,
    REDIRECT_PATH,
    SLACK,
    SlackSettings,
)
from adapters.slack.socket import socket_mode_handler
from bot.clock import Pacer
from bot.events import Apply
from bot.ports import ChatPort, Clock, Directory
from bot.ports.platform import Checkup, Database, HttpRoute, Offered
from bot.replies import Reply

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

SENDS_PER_SECOND = 1.0  # Slack's pace for one channel


class Installations(AsyncInstallationStore, ABC):
    """Bolt's installation store, and what okrbot asks it besides (the glue implements it)."""

    @abstractmethod
    async def bot_token(self, workspace_id: str) -> str | None:
        """The bot token of a workspace (``T1`` or ``E1:T1``), if it is installed."""

    @abstractmethod
    def readiness(self) -> str | None:
        """What ``/readyz`` should say about installations no key can read; None: all read."""


@dataclass(frozen=True, slots=True)
class SlackGlue(Generic[Database]):
    """The stores Slack keeps in the composition's database: installations and OAuth states
    (sealed with the secret key), and people's direct conversations with the app."""

    installations: Callable[[Database, Clock, str], Installations]
    states: Callable[[Database, Clock], AsyncOAuthStateStore]
    stored: Callable[[Database, str], checks.Stored]  # every stored token, for `okrbot doctor`
    direct_chats: Callable[[Database, Clock], DirectChats] | None = None


@dataclass
class SlackConnected:
    """Slack's Web API with each workspace's token, and Bolt's app when it takes requests
    (built when the first request that needs it arrives, or Socket Mode opens)."""

    web: SlackWeb
    store: Installations | None  # OAuth installations, when OAuth is on
    port: ChatPort
    directory: Directory
    bolt: BoltOnDemand | None = None  # None: no signing secret nor app token, so it only sends
    edge: SlackEdge | None = None  # None with the app: nothing to serve over HTTP
    apply: Apply | None = None  # handles the Events API events its edge kept in the inbox
    app_token: str = field(default="", repr=False)  # Socket Mode's
    socket: AsyncSocketModeHandler | None = None  # open while Socket Mode is

    def routes(self) -> Sequence[HttpRoute]:
        if self.edge is None:
            return unserved()
        return (
            HttpRoute("POST", EVENTS_PATH, self.edge.on_events, acked=True),
            HttpRoute("GET", INSTALL_PATH, self.edge.on_oauth),
            HttpRoute("GET", REDIRECT_PATH, self.edge.on_oauth),
        )

    @property
    def app(self) -> AsyncApp | None:
        """Bolt's app, built now if nothing has needed it yet (None: Slack only sends)."""
        return self.bolt.app() if self.bolt is not None else None

    def readiness(self) -> str | None:
        return self.store.readiness() if self.store is not None else None

    async def start(self, *, socket: bool) -> bool:
        """Open Socket Mode when asked: Slack's other way in, with the same app and listeners."""
        if not socket:
            return False
        if self.bolt is None or not self.app_token:
            log.error("Socket Mode needs SLACK_APP_TOKEN and a bot token or OAuth")
            return False
        self.socket = socket_mode_handler(self.bolt.app(), self.app_token)
        await self.socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("okrbot is connected to Slack in Socket Mode")
        return True

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None

    async def close(self) -> None:
        await self.stop()
        await self.web.close()


class SlackPlatform(Generic[Database]):
    """Slack, for the composition's list of platforms."""

    name = SLACK

    def __init__(self, glue: SlackGlue[Database]) -> None:
        self._glue = glue

    def read(self, values: Mapping[str, str]) -> SlackSettings:
        return SlackSettings.read(values)

    def secrets(self, settings: SlackSettings) -> Sequence[str]:
        return settings.secrets()

    def pages(self, reply: Reply) -> Sequence[Reply]:
        return blocks.pages(reply)

    def configured(self, settings: SlackSettings) -> bool:
        if _oauth(settings) and not settings.secret_key:
            log.error("Slack OAuth needs OKRBOT_SECRET_KEY to store tokens encrypted; OAuth is off")
        return bool(settings.slack_bot_token) or _sealed_oauth(settings)

    def unserved(self) -> Sequence[HttpRoute]:
        return unserved()

    def connect(
        self, settings: SlackSettings, offered: Offered[Database], *, serving: bool
    ) -> SlackConnected:
        """Slack's port and directory; with ``serving``, Bolt's app and the HTTP edge too."""
        glue, token = self._glue, settings.slack_bot_token
        store = (
            glue.installations(offered.database, offered.clock, settings.secret_key)
            if _sealed_oauth(settings)
            else None
        )

        async def single_token(_workspace_id: str) -> str | None:
            return token

        web = SlackWeb(store.bot_token if store else single_token, base_url=settings.slack_api_url)
        pacing = 1 / SENDS_PER_SECOND if offered.pacing is None else offered.pacing
        chats = glue.direct_chats(offered.database, offered.clock) if glue.direct_chats else None
        connected = SlackConnected(
            web, store, SlackChatPort(web, Pacer(pacing), chats), SlackDirectory(web)
        )
        connected.app_token = settings.slack_app_token
        if not serving or not (settings.slack_signing_secret or settings.slack_app_token):
            return connected
        states = glue.states(offered.database, offered.clock) if store is not None else None
        listeners = SlackListeners(
            offered.handle, offered.clock, offered.spawn, offered.command_words, offered.enqueue
        )

        def build() -> AsyncApp:
            from adapters.slack import bolt  # loads Bolt: only once something needs the app

            oauth = (
                bolt.oauth_settings(
                    client_id=settings.slack_client_id,
                    client_secret=settings.slack_client_secret,
                    scopes=settings.slack_scopes,
                    installation_store=store,
                    state_store=states,
                )
                if store is not None and states is not None
                else None
            )
            return bolt.create_app(
                listeners=listeners,
                api_url=settings.slack_api_url,
                token=token,
                oauth=oauth,
                pool=web.pool,
            )

        connected.bolt = BoltOnDemand(build, oauth=store is not None)
        # Events API events are kept in the inbox, then handled by its worker through the same
        # handler; interactive payloads stay inline.
        connected.apply = SlackIntake(offered.handle, web.client, offered.spawn)
        connected.edge = SlackEdge(
            connected.bolt,
            settings.slack_signing_secret,
            enqueue=offered.enqueue,
            clock=offered.clock,
        )
        return connected

    async def check(self, settings: SlackSettings, database: Database | None) -> Checkup:
        stored = None if database is None else self._glue.stored(database, settings.secret_key)
        return await checks.check(settings, stored)

    async def forget(self, session: object, user_id: str) -> tuple[dict[str, int], list[str]]:
        return {}, []  # Slack keeps nothing of a person beyond what every platform keeps


def unserved() -> Sequence[HttpRoute]:
    """Slack's routes while it takes no requests: Slack should retry events, later."""

    async def not_configured(_request: web.Request) -> web.Response:
        return web.Response(status=503, text="Slack is not configured")

    async def no_oauth(_request: web.Request) -> web.Response:
        return web.Response(status=404, text="Slack OAuth is not configured")

    return (
        HttpRoute("POST", EVENTS_PATH, not_configured, acked=True),
        HttpRoute("GET", INSTALL_PATH, no_oauth),
        HttpRoute("GET", REDIRECT_PATH, no_oauth),
    )


def _oauth(settings: SlackSettings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


def _sealed_oauth(settings: SlackSettings) -> bool:
    """OAuth is configured with a key to seal the tokens it stores."""
    return _oauth(settings) and bool(settings.secret_key)
