"""Slack accepts the app manifest; it asks for what the listeners handle and the bot calls."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from adapters.slack import answers, inbound, listeners
from bot.runtime.router import COMMAND_WORDS

ROOT = Path(__file__).parents[3]
SCHEMAS = ROOT / "tests" / "schemas" / "slack"
# Where Slack's top schema says its version files are; the registry serves the vendored copies.
PUBLISHED = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
REQUEST_URL = "https://YOUR-HOST/slack/events"

# What each Web API method okrbot calls needs (Slack's method reference). Bolt's own auth.test
# and oauth.v2.access need no scope. chat:write.public lets okrbot post a retrospective or a
# shout-out to a team's public channel that nobody has invited it to.
METHOD_SCOPES: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write", "chat:write.public"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "conversations.open": {"im:write"},
    "conversations.members": {"channels:read", "groups:read"},  # public and private channels
    # Read back after a crash, to find a message that went out unrecorded: channels and DMs.
    "conversations.history": {"channels:history", "groups:history", "im:history"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "views.open": set(),
    "views.publish": set(),
}
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "app_uninstalled": set(),
    "member_joined_channel": {"channels:read", "groups:read"},
    "message.im": {"im:history"},
    "reaction_added": {"reactions:read"},
    "tokens_revoked": set(),
}
_METHOD_NAME = re.compile(r"\"((?:chat|conversations|users|views|reactions|team|files)\.\w+)\"")


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def slack_schema() -> Draft7Validator:
    """Slack's published schema, its version files resolved from the repository, not the web."""
    top = json.loads((SCHEMAS / "slack-manifest.schema.json").read_text())
    versions = [
        (
            f"{PUBLISHED}manifest.schema.{version}.json",
            Resource.from_contents(
                json.loads((SCHEMAS / f"slack-manifest.schema.{version}.json").read_text()),
                default_specification=DRAFT7,
            ),
        )
        for version in ("1.0.0", "2.0.0")
    ]
    return Draft7Validator(top, registry=Registry().with_resources(versions))


def problem(document: dict[str, Any]) -> str | None:
    """The schema's most precise complaint about a manifest, or None when Slack would take it."""
    leaves = [leaf for error in slack_schema().iter_errors(document) for leaf in _leaves(error)]
    if not leaves:
        return None
    deepest = max(leaves, key=lambda error: len(error.absolute_path))
    return f"{deepest.json_path}: {deepest.message}"


def _leaves(error: ValidationError) -> list[ValidationError]:
    # The top schema is a oneOf over versions: its own error only says "no version matched".
    return [leaf for child in error.context for leaf in _leaves(child)] or [error]


def test_slack_accepts_the_manifest() -> None:
    assert problem(manifest()) is None


def test_slack_accepts_it_switched_to_socket_mode_as_the_readme_says() -> None:
    socket = copy.deepcopy(manifest())
    socket["settings"]["socket_mode_enabled"] = True
    assert problem(socket) is None


def test_the_schema_refuses_what_slack_would_refuse() -> None:
    nameless = copy.deepcopy(manifest())
    del nameless["display_information"]["name"]
    assert problem(nameless) is not None
    misspelt = copy.deepcopy(manifest())
    misspelt["features"]["slash_command"] = misspelt["features"].pop("slash_commands")
    assert problem(misspelt) is not None


def test_every_slash_command_is_declared_and_escapes_mentions() -> None:
    commands = manifest()["features"]["slash_commands"]
    assert {c["command"] for c in commands} == {f"/{word}" for word in COMMAND_WORDS}
    assert all(c["should_escape"] is True for c in commands)


def test_usage_hints_arrive_whole() -> None:
    # Unquoted, YAML reads ": " as a mapping and " #" as the start of a comment.
    hints = {c["command"]: c["usage_hint"] for c in manifest()["features"]["slash_commands"]}
    assert "concern <metric>: <harm> | digest" in hints["/okr"]
    assert hints["/shoutout"].endswith("<team or #channel> <what they did>")
    assert all(hint.count("<") == hint.count(">") for hint in hints.values())


def test_every_event_the_listeners_take_is_subscribed() -> None:
    events = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    wanted = {"message.im" if e == "message" else e for e in listeners.EVENT_TYPES}
    assert wanted | {"app_uninstalled", "tokens_revoked"} == events


def test_the_message_shortcut_saves_a_learning_story() -> None:
    (shortcut,) = manifest()["features"]["shortcuts"]
    assert shortcut["type"] == "message"
    assert shortcut["callback_id"] == inbound.SAVE_LEARNING_STORY


def test_the_scopes_are_exactly_what_the_bot_calls_and_hears() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    needed = {"commands"}  # slash commands and the message shortcut
    needed |= set().union(*METHOD_SCOPES.values(), *(EVENT_SCOPES[e] for e in events))
    assert scopes == needed, {"missing": needed - scopes, "unneeded": scopes - needed}


def test_every_web_api_method_the_adapter_calls_has_its_scopes_listed() -> None:
    sources = (ROOT / "adapters" / "slack").glob("*.py")
    called = {name for source in sources for name in _METHOD_NAME.findall(source.read_text())}
    called |= {via.value for via in answers.Via if via is not answers.Via.RESPOND}
    assert "conversations.members" in called  # the scan reads the adapter's calls
    assert called <= set(METHOD_SCOPES), called - set(METHOD_SCOPES)


def test_all_request_urls_point_at_one_endpoint() -> None:
    features, settings = manifest()["features"], manifest()["settings"]
    urls = [c["url"] for c in features["slash_commands"]]
    urls += [settings["event_subscriptions"]["request_url"]]
    urls += [settings["interactivity"]["request_url"]]
    assert settings["interactivity"]["is_enabled"] is True
    assert set(urls) == {REQUEST_URL}
    assert manifest()["oauth_config"]["redirect_urls"] == ["https://YOUR-HOST/slack/oauth_redirect"]
