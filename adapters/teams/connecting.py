"""Teams connected: the Bot Connector clients, the port that sends, and the ``/api/messages`` edge.

Loaded only where Teams is configured (:class:`adapters.teams.platform.TeamsPlatform` imports it
when it connects), since it brings in Teams' whole stack.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botframework.connector.auth import BotFrameworkAuthentication

from adapters.teams.agents_host import AgentsHost
from adapters.teams.bot_token import BotToken
from adapters.teams.botbuilder_host import BotbuilderHost
from adapters.teams.client import Connectors
from adapters.teams.directory import Accounts, TeamsDirectory
from adapters.teams.edge import TeamsEdge
from adapters.teams.hosts import Host
from adapters.teams.identity import Endpoints, authentication
from adapters.teams.port import SENDS_PER_SECOND, TeamsChatPort
from adapters.teams.proactive import TeamsIntake
from adapters.teams.references import ReferenceStore
from adapters.teams.settings import MESSAGES_PATH, TeamsSettings
from adapters.teams.throttle import TenantThrottle
from adapters.teams.tokens import PUBLIC_ISSUER, PUBLIC_METADATA_URL, Audience, TokenChecker
from bot.clock import Pacer
from bot.events import Apply
from bot.ports import ChatPort, Directory
from bot.ports.platform import HttpRoute, Offered

log = logging.getLogger(__name__)

TEAMS_SDKS = ("agents", "botbuilder")


@dataclass
class TeamsConnected:
    """The Bot Connector clients, the stored conversations, the port that sends, the edge."""

    auth: BotFrameworkAuthentication
    connectors: Connectors
    store: ReferenceStore
    port: ChatPort
    directory: Directory
    accounts: Accounts
    edge: TeamsEdge | None = None  # None: it only sends (okrbot run-due)
    apply: Apply | None = None  # handles the activities its edge kept in the inbox

    def routes(self) -> Sequence[HttpRoute]:
        if self.edge is None:
            return ()
        return (HttpRoute("POST", MESSAGES_PATH, self.edge.on_messages, acked=True),)

    def readiness(self) -> str | None:
        return None

    async def start(self, *, socket: bool) -> bool:
        return False  # Teams comes in over HTTP only

    async def stop(self) -> None:
        return None

    async def close(self) -> None:
        await self.connectors.close()


def connect(
    settings: TeamsSettings, offered: Offered[Any], store: ReferenceStore, *, serving: bool
) -> TeamsConnected:
    """Connect Teams' port and directory, and with ``serving`` the edge that takes activities."""
    auth = authentication(
        app_id=settings.microsoft_app_id,
        password=settings.microsoft_app_password,
        app_type=settings.microsoft_app_type,
        tenant_id=settings.microsoft_app_tenant_id,
        endpoints=Endpoints(
            openid_metadata_url=settings.bot_framework_openid_metadata_url,
            token_issuer=settings.bot_framework_token_issuer,
            login_url=settings.bot_framework_login_url,
            oauth_scope=settings.bot_framework_oauth_scope,
        ),
    )
    # Without a bot identity nothing vouches for a serviceUrl: reach only this machine.
    reachable = None if settings.microsoft_app_id else loopback
    connectors = Connectors(
        auth,
        settings.microsoft_app_id,
        reachable=reachable,
        throttle=TenantThrottle(clock=offered.clock),
    )
    accounts = Accounts()
    pacing = offered.pacing if offered.pacing is not None else 1 / SENDS_PER_SECOND
    port = TeamsChatPort(connectors, store, Pacer(pacing), accounts)
    directory = TeamsDirectory(connectors, store, accounts)
    connected = TeamsConnected(auth, connectors, store, port, directory, accounts)
    if serving:
        connected.edge = TeamsEdge(
            host=teams_host(settings, auth),
            handle=offered.handle,
            store=store,
            port=port,
            clock=offered.clock,
            command_words=offered.command_words,
            may_reply=connectors.may_call,
            enqueue=offered.enqueue,
        )
        if offered.enqueue is not None:  # kept at the edge, handled by the inbox's worker
            connected.apply = TeamsIntake(connected.edge.turns, connectors, offered.spawn)
    return connected


def loopback(service_url: str) -> bool:
    """Whether a ``serviceUrl`` names this machine (all the emulator may be answered at)."""
    host = urlsplit(service_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def teams_host(settings: TeamsSettings, auth: BotFrameworkAuthentication) -> Host:
    """The SDK that serves ``/api/messages`` (``OKRBOT_TEAMS_SDK``): the Agents SDK by default."""
    if settings.teams_sdk == "botbuilder":
        return BotbuilderHost(auth)
    if settings.microsoft_app_type.lower() == "userassignedmsi":
        # The Agents host gets the bot's token with its client secret; botbuilder's credentials
        # know managed identities, so such a bot is served by botbuilder.
        log.warning("a managed identity (MICROSOFT_APP_TYPE=UserAssignedMSI): Teams on botbuilder")
        return BotbuilderHost(auth)
    if settings.teams_sdk not in TEAMS_SDKS:
        log.warning(
            "OKRBOT_TEAMS_SDK=%s is not agents or botbuilder; using agents", settings.teams_sdk
        )
    if not settings.microsoft_app_id:
        return AgentsHost(None, None)  # the emulator's mode: no token checked, none sent
    audience = Audience(
        settings.microsoft_app_id,
        issuer=settings.bot_framework_token_issuer or PUBLIC_ISSUER,
        metadata_url=settings.bot_framework_openid_metadata_url or PUBLIC_METADATA_URL,
    )
    single_tenant = settings.microsoft_app_type.lower() == "singletenant"
    token = BotToken.configured(
        app_id=settings.microsoft_app_id,
        password=settings.microsoft_app_password,
        tenant_id=settings.microsoft_app_tenant_id if single_tenant else "",
        login_url=settings.bot_framework_login_url,
        scope=settings.bot_framework_oauth_scope,
    )
    return AgentsHost(TokenChecker(audience), token)
