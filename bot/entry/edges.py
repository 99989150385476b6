"""Each configured platform's HTTP edge, built on its connection (:mod:`bot.entry.platforms`).

The edges themselves live in their adapters (:class:`adapters.slack.edge.SlackEdge`,
:class:`adapters.teams.edge.TeamsEdge`); here the composition hands them what they cannot
reach on their own: the event handler, the clock, the command words from the router's table,
and the stores kept in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from adapters.slack import bolt
from adapters.slack.edge import SlackEdge
from adapters.slack.intake import SlackIntake
from adapters.slack.listeners import SlackListeners
from bot.entry import platforms
from bot.entry.app import Okrbot
from bot.entry.settings import Settings
from bot.events import Platform
from bot.glue.slack_installations import DatabaseStateStore
from bot.ports import EventHandler
from bot.runtime.router import COMMAND_WORDS

if TYPE_CHECKING:  # loaded only where Teams is configured, as in bot.entry.platforms
    from adapters.teams.edge import TeamsEdge
    from adapters.teams.hosts import Host

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], None]


@dataclass
class SlackWiring:
    connection: platforms.SlackConnection
    app: AsyncApp | None  # None: no signing secret nor app token, so it only sends
    edge: SlackEdge | None  # None with the app: nothing to serve over HTTP


def wire_slack(
    okrbot: Okrbot, handle: EventHandler, spawn: Spawn, *, pacing: float = 1.0
) -> SlackWiring | None:
    """Serve Slack when it is configured: its connection, the Bolt app and its HTTP edge."""
    settings = okrbot.settings
    connection = platforms.connect_slack(okrbot, pacing=pacing)
    if connection is None:
        return None
    if not settings.slack_signing_secret and not settings.slack_app_token:
        return SlackWiring(connection, None, None)  # it sends (the outbox), but takes nothing
    store = connection.store
    oauth = (
        bolt.oauth_settings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=settings.slack_scopes,
            installation_store=store,
            state_store=DatabaseStateStore(okrbot.sessions, okrbot.clock),
        )
        if store is not None
        else None
    )
    app = bolt.create_app(
        listeners=SlackListeners(handle, okrbot.clock, spawn, COMMAND_WORDS, okrbot.intake),
        api_url=settings.slack_api_url,
        token=settings.slack_bot_token,
        oauth=oauth,
    )
    # Events API events are kept in the inbox and handled by its worker, through the same handler.
    okrbot.appliers[Platform.SLACK.value] = SlackIntake(handle, connection.web.client, spawn).apply
    edge = SlackEdge(app, settings.slack_signing_secret, enqueue=okrbot.intake, clock=okrbot.clock)
    return SlackWiring(connection, app, edge)


@dataclass
class TeamsWiring:
    connection: platforms.TeamsConnection
    edge: TeamsEdge


def wire_teams(
    okrbot: Okrbot, handle: EventHandler, *, pacing: float | None = None
) -> TeamsWiring | None:
    """Serve Teams when it is configured (bot.entry.platforms says when); None leaves it off."""
    connection = platforms.connect_teams(okrbot, pacing=pacing)
    if connection is None:
        return None
    from adapters.teams.edge import TeamsEdge  # only where Teams is configured

    edge = TeamsEdge(
        host=teams_host(okrbot.settings, connection),
        handle=handle,
        store=connection.store,
        port=connection.port,
        clock=okrbot.clock,
        command_words=COMMAND_WORDS,
        may_reply=connection.connectors.may_call,
    )
    return TeamsWiring(connection, edge)


TEAMS_SDKS = ("agents", "botbuilder")


def teams_host(settings: Settings, connection: platforms.TeamsConnection) -> Host:
    """The SDK that serves ``/api/messages`` (``OKRBOT_TEAMS_SDK``): the Agents SDK by default."""
    from adapters.teams.agents_host import AgentsHost
    from adapters.teams.bot_token import BotToken
    from adapters.teams.botbuilder_host import BotbuilderHost
    from adapters.teams.tokens import PUBLIC_ISSUER, PUBLIC_METADATA_URL, Audience, TokenChecker

    if settings.teams_sdk == "botbuilder":
        return BotbuilderHost(connection.auth)
    if settings.microsoft_app_type.lower() == "userassignedmsi":
        # The Agents host gets the bot's token with its client secret; botbuilder's credentials
        # know managed identities, so such a bot is served by botbuilder.
        log.warning("a managed identity (MICROSOFT_APP_TYPE=UserAssignedMSI): Teams on botbuilder")
        return BotbuilderHost(connection.auth)
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
