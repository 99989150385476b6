"""``okrbot doctor``'s checks of Slack: the settings, and ``auth.test`` on every token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.settings import SlackSettings
from bot.ports.platform import Checkup, Level

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


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A stored installation's bot token; None with what to do when no key unseals it."""

    installation_key: str
    token: str | None
    unreadable: str = ""


Stored = AsyncIterator[Sequence[StoredToken]]
"""The stored installations' tokens, a page at a time (from the composition's glue)."""


async def check(settings: SlackSettings, stored: Stored | None) -> Checkup:
    """Ask Slack's ``auth.test`` about the configured token and about each stored install
    (``stored``: None while the database is not migrated)."""
    checkup = Checkup()
    oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    if not (settings.slack_bot_token or oauth):
        checkup.add(Level.OK, "slack", "Slack is off (no SLACK_BOT_TOKEN and no OAuth settings)")
        return checkup
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
    if oauth and settings.secret_keys and stored is not None:
        await _stored(settings, checkup, stored)
    return checkup


async def _auth_test(settings: SlackSettings, checkup: Checkup, token: str, whose: str) -> bool:
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


async def _stored(settings: SlackSettings, checkup: Checkup, stored: Stored) -> None:
    """Ask ``auth.test`` about each stored installation's token."""
    gate = asyncio.Semaphore(CONCURRENCY)
    working = unreadable = 0

    async def one(found: StoredToken) -> None:
        nonlocal working, unreadable
        if found.token is None:
            unreadable += 1
            checkup.add(
                Level.PROBLEM,
                "slack",
                found.unreadable,
                "add the key that sealed it to OKRBOT_SECRET_KEY, or install the app there again",
            )
            return
        whose = f"the token of {found.installation_key}"
        async with gate:
            passed = await _auth_test(settings, checkup, found.token, whose)
        working += passed  # after the await: the other checks change it meanwhile

    async for page in stored:
        await asyncio.gather(*(one(found) for found in page))
    if working or not unreadable:
        checkup.add(Level.OK, "slack", f"{working} stored installation(s) pass auth.test")


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None
