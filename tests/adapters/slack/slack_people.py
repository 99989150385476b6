"""Slack's users as ``users.info`` describes them: people, bots, app users, the deactivated."""

from __future__ import annotations

import base64
from typing import Any

BOT_USER = "UBOT0001"
SLACKBOT = "USLACKBOT"


def person(user_id: str, tz: str = "Europe/Berlin") -> dict[str, Any]:
    """A person as ``users.info`` describes them (the fields okrbot reads, and some it doesn't)."""
    return {
        "id": user_id,
        "team_id": "T1",
        "name": user_id.lower(),
        "deleted": False,
        "real_name": f"Person {user_id}",
        "tz": tz,
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "profile": {"real_name": f"Person {user_id}", "display_name": user_id.lower()},
        "is_admin": False,
        "is_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 1700000000,
    }


def bot(user_id: str) -> dict[str, Any]:
    """Another app's bot user: it has a timezone like anyone, but ``is_bot``."""
    user = person(user_id, "America/Los_Angeles")
    user["profile"] |= {"bot_id": f"B{user_id}", "api_app_id": f"A{user_id}", "always_active": True}
    return user | {"name": f"{user_id.lower()}bot", "is_bot": True}


def app_user(user_id: str) -> dict[str, Any]:
    return person(user_id) | {"is_app_user": True}


def deactivated(user_id: str) -> dict[str, Any]:
    """A deactivated account: still listed in channels, ``deleted``, and without a timezone."""
    return {
        "id": user_id,
        "team_id": "T1",
        "name": user_id.lower(),
        "deleted": True,
        "profile": {"real_name": f"Person {user_id}"},
        "is_bot": False,
        "is_app_user": False,
        "updated": 1700000000,
    }


def slackbot() -> dict[str, Any]:
    """Slackbot, which ``users.info`` does not call a bot."""
    return person(SLACKBOT, "America/Los_Angeles") | {"name": "slackbot", "real_name": "Slackbot"}


def users_page(users: list[dict[str, Any]], arguments: dict[str, Any], most: int) -> dict[str, Any]:
    """A page of ``users.list``: up to ``limit`` users (Slack may give fewer), an opaque cursor."""
    cursor = str(arguments.get("cursor") or "")
    start = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
    size = min(int(arguments.get("limit") or most), most)
    following = start + size
    next_cursor = base64.b64encode(f"offset:{following}".encode()).decode()
    return {
        "ok": True,
        "members": users[start:following],
        "cache_ts": 1700000000,
        "response_metadata": {"next_cursor": next_cursor if following < len(users) else ""},
    }
