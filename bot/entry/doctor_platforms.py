"""`okrbot doctor`'s checks of the platforms: Slack's tokens, and Teams' identity."""

from __future__ import annotations

import asyncio
from typing import Any

from botframework.connector.auth import (
    AuthenticationConstants,
    PasswordServiceClientCredentialFactory,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.entry.checkup import Checkup, Level
from bot.entry.settings import Settings
from bot.glue import keys
from bot.glue.slack_installations import unseal
from storage import installations
from storage.engine import create_engine, session_factory

TIMEOUT = 10
CONCURRENCY = 8
# What Slack's error codes mean for whoever runs okrbot.
SLACK_FIXES = {
    "invalid_auth": "the token is not valid",
    "not_authed": "no token was sent",
    "token_revoked": "the token was revoked",
    "account_inactive": "the app or its workspace was deactivated",
    "token_expired": "the token expired (token rotation is on for the app: turn it off)",
}


async def slack(settings: Settings, checkup: Checkup, *, stored: bool) -> None:
    """Ask Slack's ``auth.test`` about the configured token and about each stored install."""
    oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    if not (settings.slack_bot_token or oauth):
        checkup.add(Level.OK, "slack", "Slack is off (no SLACK_BOT_TOKEN and no OAuth settings)")
        return
    if not settings.slack_signing_secret:
        level = Level.WARNING if settings.slack_app_token else Level.PROBLEM
        checkup.add(
            level,
            "slack",
            "SLACK_SIGNING_SECRET is not set, so Slack's HTTP requests are answered 503",
            "copy the app's Signing Secret into SLACK_SIGNING_SECRET",
        )
    if oauth and not settings.secret_keys:
        checkup.add(
            Level.PROBLEM,
            "slack",
            "OAuth is configured but OKRBOT_SECRET_KEY is not, "
            "so no installation can be stored and OAuth is off",
            "set OKRBOT_SECRET_KEY to a long random value",
        )
    if settings.slack_bot_token:
        await _auth_test(settings, checkup, settings.slack_bot_token, "SLACK_BOT_TOKEN")
    if oauth and settings.secret_keys and stored:
        await _stored(settings, checkup)


async def _auth_test(settings: Settings, checkup: Checkup, token: str, whose: str) -> bool:
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, timeout=TIMEOUT)
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        checkup.answered("Slack", _header(error.response.headers, "date"))
        code = str(error.response.get("error", "error"))
        checkup.add(
            Level.PROBLEM,
            "slack",
            f"auth.test refuses {whose}: {code} "
            f"({SLACK_FIXES.get(code, 'see Slack’s documentation of auth.test')})",
            "reinstall the app there and use its current Bot User OAuth Token",
        )
        return False
    except Exception as error:
        checkup.add(
            Level.PROBLEM,
            "slack",
            f"the Slack Web API at {settings.slack_api_url} "
            f"cannot be reached ({type(error).__name__})",
            "check SLACK_API_URL and that this machine may reach it",
        )
        return False
    checkup.answered("Slack", _header(answer.headers, "date"))
    if whose == "SLACK_BOT_TOKEN":
        checkup.add(
            Level.OK,
            "slack",
            f"auth.test accepts {whose} (workspace "
            f"{answer.get('team_id', '?')}, bot user {answer.get('user_id', '?')})",
        )
    return True


async def _stored(settings: Settings, checkup: Checkup) -> None:
    """Unseal each stored installation and ask ``auth.test`` about its token."""
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    gate = asyncio.Semaphore(CONCURRENCY)
    working = unreadable = 0

    async def check(key: str, sealed: str) -> None:
        nonlocal working, unreadable
        found = unseal(sealed, settings.secret_key)
        if found is None or not found.bot_token:
            unreadable += 1
            checkup.add(
                Level.PROBLEM,
                "slack",
                keys.unreadable_warning(key),
                "add the key that sealed it to OKRBOT_SECRET_KEY, or install the app there again",
            )
            return
        async with gate:
            passed = await _auth_test(settings, checkup, found.bot_token, f"the token of {key}")
        working += passed  # after the await: the other checks change it meanwhile

    after, batch = 0, keys.BATCH
    try:
        while True:
            async with sessions() as session:
                rows = await installations.installations_after(session, after_id=after, limit=batch)
            await asyncio.gather(*(check(r.installation_key, r.sealed) for r in rows))
            if len(rows) < batch:
                break
            after = rows[-1].id
    finally:
        await engine.dispose()
    if working or not unreadable:
        checkup.add(Level.OK, "slack", f"{working} stored installation(s) pass auth.test")


async def teams(settings: Settings, checkup: Checkup) -> None:
    """Teams' identity: present, consistent, and able to get a token from its identity provider."""
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


def _host(settings: Settings, checkup: Checkup) -> None:
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


async def _token(settings: Settings) -> None:
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


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None
