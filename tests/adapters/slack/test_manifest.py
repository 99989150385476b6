"""The app manifest asks Slack for exactly what the listeners handle and the bot calls."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack import inbound, listeners

MANIFEST = (Path(__file__).parents[3] / "slack" / "manifest.yaml").read_text()


def listed(key: str) -> set[str]:
    """The items of a YAML list under ``key:`` (``- item`` lines until the indentation drops)."""
    match = re.search(rf"^(\s*){re.escape(key)}:\n((?:\1\s+- .*\n)+)", MANIFEST, re.M)
    assert match, key
    return {line.strip()[2:] for line in match.group(2).splitlines()}


def test_every_slash_command_is_declared_and_escapes_mentions() -> None:
    declared = set(re.findall(r"- command: (/\w+)", MANIFEST))
    assert declared == set(inbound.SLASH_COMMANDS)
    assert MANIFEST.count("should_escape: true") == len(declared)


def test_every_event_the_listeners_take_is_subscribed() -> None:
    events = listed("bot_events")
    wanted = {"message.im" if e == "message" else e for e in listeners.EVENT_TYPES}
    assert wanted | {"app_uninstalled", "tokens_revoked"} == events


def test_the_shortcut_and_the_scopes() -> None:
    assert f"callback_id: {inbound.SAVE_LEARNING_STORY}" in MANIFEST
    assert {
        "chat:write",
        "commands",
        "im:history",
        "im:write",
        "app_mentions:read",
        "channels:read",
        "groups:read",
        "reactions:read",
        "users:read",
    } <= listed("bot")


def test_all_request_urls_point_at_one_endpoint() -> None:
    urls = re.findall(r"(?:url|request_url): (\S+)", MANIFEST)
    assert urls and set(urls) == {"https://YOUR-HOST/slack/events"}
