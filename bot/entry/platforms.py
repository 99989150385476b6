"""The platforms okrbot is configured for, connected to the core for outbound work.

``okrbot serve`` and ``okrbot run-due`` both start here, so a scheduled run reaches Slack and
Teams through the same clients whichever process performs it: each configured platform gets
its :class:`~bot.ports.ChatPort` (the outbox sends through it) and its
:class:`~bot.ports.Directory` (the scheduler asks it who is in a channel). The HTTP edges (Bolt,
the Teams edge) are built on top of these connections by :mod:`bot.entry.edges`.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from adapters.slack.client import SlackWeb
from adapters.slack.directory import SlackDirectory
from adapters.slack.port import SlackChatPort
from bot.clock import Pacer
from bot.entry.app import Okrbot
from bot.entry.settings import Settings
from bot.events import Platform
from bot.glue.slack_installations import DatabaseInstallationStore

if TYPE_CHECKING:  # Teams' modules load only where Teams is configured: see connect_teams
    from botframework.connector.auth import BotFrameworkAuthentication

    from adapters.teams.client import Connectors
    from adapters.teams.directory import Accounts
    from adapters.teams.port import TeamsChatPort
    from bot.glue.teams_references import DatabaseReferenceStore

log = logging.getLogger(__name__)


@dataclass
class SlackConnection:
    """Slack's Web API with each workspace's token; ``store`` holds OAuth installs, if any."""

    web: SlackWeb
    store: DatabaseInstallationStore | None

    async def close(self) -> None:
        await self.web.close()


@dataclass
class TeamsConnection:
    """The Bot Connector clients, the stored conversations, and the port that sends."""

    auth: BotFrameworkAuthentication
    connectors: Connectors
    store: DatabaseReferenceStore
    port: TeamsChatPort
    accounts: Accounts

    async def close(self) -> None:
        await self.connectors.close()


def slack_installation_store(okrbot: Okrbot) -> DatabaseInstallationStore | None:
    """The OAuth installation store, when OAuth is configured with a key to seal tokens."""
    settings = okrbot.settings
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    if not settings.secret_key:
        log.error("Slack OAuth needs OKRBOT_SECRET_KEY to store tokens encrypted; OAuth is off")
        return None
    return DatabaseInstallationStore(okrbot.sessions, okrbot.clock, settings.secret_key)


def connect_slack(okrbot: Okrbot, *, pacing: float = 1.0) -> SlackConnection | None:
    """Register Slack's port and directory when a bot token or OAuth is configured."""
    settings = okrbot.settings
    store = slack_installation_store(okrbot)
    if store is None and not settings.slack_bot_token:
        return None
    token = settings.slack_bot_token

    async def single_token(_workspace_id: str) -> str | None:
        return token

    web = SlackWeb(store.bot_token if store else single_token, base_url=settings.slack_api_url)
    okrbot.ports[Platform.SLACK.value] = SlackChatPort(web, Pacer(pacing))
    okrbot.directories[Platform.SLACK.value] = SlackDirectory(web)
    return SlackConnection(web, store)


def teams_configured(settings: Settings) -> bool:
    """Teams is on with a bot identity, or for the local emulator when asked for explicitly."""
    return bool(settings.microsoft_app_id) or settings.teams_emulator


def loopback(service_url: str) -> bool:
    """Whether a ``serviceUrl`` names this machine (all the emulator may be answered at)."""
    host = urlsplit(service_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect_teams(okrbot: Okrbot, *, pacing: float | None = None) -> TeamsConnection | None:
    """Register Teams' port and directory when Teams is configured; None leaves Teams off."""
    settings = okrbot.settings
    if not teams_configured(settings):
        return None
    # Imported here, so that a deployment without Teams loads none of its stack (botbuilder,
    # botframework, the Agents SDK: about a third of okrbot's start-up and hundreds of modules).
    from adapters.teams.client import Connectors
    from adapters.teams.directory import Accounts, TeamsDirectory
    from adapters.teams.identity import Endpoints, authentication
    from adapters.teams.port import SENDS_PER_SECOND, TeamsChatPort
    from adapters.teams.throttle import TenantThrottle
    from bot.glue.teams_references import DatabaseReferenceStore

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
        throttle=TenantThrottle(clock=okrbot.clock),
    )
    store = DatabaseReferenceStore(okrbot.sessions, okrbot.clock)
    accounts = Accounts()
    port = TeamsChatPort(
        connectors,
        store,
        Pacer(pacing if pacing is not None else 1 / SENDS_PER_SECOND),
        accounts,
    )
    okrbot.ports[Platform.TEAMS.value] = port
    okrbot.directories[Platform.TEAMS.value] = TeamsDirectory(connectors, store, accounts)
    return TeamsConnection(auth, connectors, store, port, accounts)


@dataclass
class Connections:
    slack: SlackConnection | None
    teams: TeamsConnection | None

    async def close(self) -> None:
        if self.slack is not None:
            await self.slack.close()
        if self.teams is not None:
            await self.teams.close()


def connect(okrbot: Okrbot) -> Connections:
    """Connect every configured platform, for outbound work only (``okrbot run-due``)."""
    return Connections(connect_slack(okrbot), connect_teams(okrbot))
