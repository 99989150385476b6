"""``okrbot doctor``'s checks of Teams: its identity, and the SDK that will serve it.

Loaded only when the doctor runs (it brings in the Bot Framework's authentication).
"""

from __future__ import annotations

import asyncio

from botframework.connector.auth import (
    AuthenticationConstants,
    PasswordServiceClientCredentialFactory,
)

from adapters.teams.settings import TeamsSettings
from bot.ports.platform import Checkup, Level

TIMEOUT = 10


async def check(settings: TeamsSettings) -> Checkup:
    """Teams' identity: present, consistent, and able to get a token from its identity provider."""
    checkup = Checkup()
    await _identity(settings, checkup)
    return checkup


async def _identity(settings: TeamsSettings, checkup: Checkup) -> None:
    if not settings.microsoft_app_id:
        if settings.teams_emulator:
            checkup.add(
                Level.WARNING,
                "teams",
                "emulator mode: unauthenticated activities are "
                "taken and replies go only to this machine",
                "set MICROSOFT_APP_ID and "
                "MICROSOFT_APP_PASSWORD, and unset OKRBOT_TEAMS_EMULATOR, in production",
            )
        else:
            checkup.add(Level.OK, "teams", "Teams is off (no MICROSOFT_APP_ID)")
            return
    _host(settings, checkup)
    if not settings.microsoft_app_id:
        return
    if settings.microsoft_app_type.lower() == "userassignedmsi":
        checkup.add(Level.OK, "teams", "a managed identity: no password to check")
        return
    if settings.microsoft_app_type.lower() == "multitenant":
        checkup.add(
            Level.WARNING,
            "teams",
            "MICROSOFT_APP_TYPE is MultiTenant: Azure no longer creates new multi-tenant bots, "
            "so a new registration will not match",
            "register a single-tenant bot and set MICROSOFT_APP_TYPE=SingleTenant and "
            "MICROSOFT_APP_TENANT_ID (an existing multi-tenant bot keeps working)",
        )
    if not settings.microsoft_app_password:
        checkup.add(
            Level.PROBLEM,
            "teams",
            "MICROSOFT_APP_ID is set without MICROSOFT_APP_PASSWORD",
            "set the bot's client secret as MICROSOFT_APP_PASSWORD",
        )
        return
    single = settings.microsoft_app_type.lower() == "singletenant"
    if single and not settings.microsoft_app_tenant_id:
        checkup.add(
            Level.PROBLEM,
            "teams",
            "a SingleTenant bot without MICROSOFT_APP_TENANT_ID",
            "set the tenant id of the bot's app registration",
        )
        return
    try:
        await _token(settings)
    except Exception as error:
        checkup.add(
            Level.PROBLEM,
            "teams",
            f"no token for MICROSOFT_APP_ID could be had "
            f"({type(error).__name__}: {str(error)[:120]})",
            "check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD (not expired?) and MICROSOFT_APP_TYPE",
        )
        return
    checkup.add(Level.OK, "teams", "a Bot Framework token was issued for MICROSOFT_APP_ID")


def _host(settings: TeamsSettings, checkup: Checkup) -> None:
    """Which SDK serves Teams (``OKRBOT_TEAMS_SDK``), as ``okrbot serve`` will choose it."""
    chosen = settings.teams_sdk
    if chosen not in ("agents", "botbuilder"):
        checkup.add(
            Level.WARNING,
            "teams",
            f"OKRBOT_TEAMS_SDK={chosen[:40]} is neither agents nor botbuilder: "
            "the Microsoft 365 Agents SDK serves Teams",
            "set OKRBOT_TEAMS_SDK to agents (the default) or botbuilder",
        )
    elif chosen == "botbuilder":
        checkup.add(
            Level.WARNING,
            "teams",
            "OKRBOT_TEAMS_SDK=botbuilder: botbuilder-python is archived and unsupported "
            "since 2025-12-31",
            "unset OKRBOT_TEAMS_SDK to serve Teams with the Microsoft 365 Agents SDK",
        )
    elif settings.microsoft_app_type.lower() == "userassignedmsi":
        checkup.add(Level.OK, "teams", "a managed identity: botbuilder serves Teams")
    else:
        checkup.add(Level.OK, "teams", "the Microsoft 365 Agents SDK serves Teams")


async def _token(settings: TeamsSettings) -> None:
    """Get a token as the Teams adapter does (MSAL, blocking: in a thread, bounded in time)."""
    factory = PasswordServiceClientCredentialFactory(
        settings.microsoft_app_id,
        settings.microsoft_app_password,
        settings.microsoft_app_tenant_id or None,
    )
    credentials = await factory.create_credentials(
        settings.microsoft_app_id,
        settings.bot_framework_oauth_scope
        or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        settings.bot_framework_login_url or AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        True,
    )
    token = await asyncio.wait_for(asyncio.to_thread(credentials.get_access_token), TIMEOUT)
    if not token:
        raise RuntimeError("the identity provider gave no token")
