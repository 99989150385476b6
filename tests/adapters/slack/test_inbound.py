"""Slack payloads (shapes from Slack's documentation) become the events the core expects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import forms, inbound
from adapters.slack.settings import SLACK
from bot.events import EventKind
from bot.runtime.router import COMMAND_WORDS
from tests.support.times import START

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def test_an_app_mention_loses_the_bot_mention_and_slack_escaping() -> None:
    event = inbound.from_event_callback(payload("app_mention"), START)
    assert event is not None
    assert event.platform == SLACK
    assert event.kind is EventKind.MESSAGE
    assert event.mentions_bot and not event.is_direct
    assert event.text == (
        "story learning hypothesis: shorter forms convert & retain | learned: they do <sometimes>"
    )
    assert (event.workspace_id, event.channel_id, event.user_id) == (
        "T061EG9R6",
        "C123ABC456",
        "U061F7AUR",
    )
    assert event.event_id == "Ev0LAN670R"
    assert event.occurred_at == datetime.fromtimestamp(1515449522, UTC)


def test_a_direct_message_is_direct() -> None:
    event = inbound.from_event_callback(payload("message_im"), START)
    assert event is not None
    assert event.is_direct and event.kind is EventKind.MESSAGE
    assert event.text.startswith("story impact who:")
    assert event.channel_id == "D024BE91L"


@pytest.mark.parametrize("name", ["message_changed_im", "bot_message_im"])
def test_edits_and_bot_messages_are_ignored(name: str) -> None:
    assert inbound.from_event_callback(payload(name), START) is None


def test_a_channel_message_that_does_not_mention_the_bot_is_ignored() -> None:
    body = payload("message_im")
    body["event"]["channel_type"] = "channel"
    assert inbound.from_event_callback(body, START) is None


def test_a_reaction_targets_the_message_it_was_added_to() -> None:
    event = inbound.from_event_callback(payload("reaction_added"), START)
    assert event is not None
    assert event.kind is EventKind.REACTION
    assert (event.reaction, event.channel_id, event.target_message_id) == (
        "thumbsup",
        "C123ABC456",
        "1360782400.498405",
    )


def test_home_opened_and_member_joined() -> None:
    home = inbound.from_event_callback(payload("app_home_opened"), START)
    joined = inbound.from_event_callback(payload("member_joined_channel"), START)
    assert home is not None and home.kind is EventKind.HOME_OPENED
    assert joined is not None and joined.kind is EventKind.MEMBER_JOINED
    assert (joined.user_id, joined.channel_id) == ("W123ABC456", "C123ABC456")


def test_a_slash_command_becomes_the_whole_command_line_named_by_its_trigger() -> None:
    event = inbound.from_slash_command(payload("slash_command"), START, command_words=COMMAND_WORDS)
    assert event is not None
    assert event.kind is EventKind.COMMAND
    assert event.text == "/story learning we tried <!channel> pings"
    assert event.event_id == "trigger:13345224609.738474920.8088930838d88f008e0"
    assert event.occurred_at == START
    assert (event.workspace_id, event.user_name) == ("T0001", "Steve")


def test_a_slash_command_under_an_org_wide_install_names_enterprise_and_team() -> None:
    body = payload("slash_command") | {"is_enterprise_install": "true"}
    event = inbound.from_slash_command(body, START, command_words=COMMAND_WORDS)
    assert event is not None and event.workspace_id == "E0001:T0001"
    assert inbound.split_workspace("E0001:T0001") == ("E0001", "T0001", True)
    assert inbound.split_workspace("T0001") == (None, "T0001", False)


def test_an_unknown_slash_command_is_ignored() -> None:
    assert (
        inbound.from_slash_command(
            payload("slash_command") | {"command": "/x"}, START, command_words=COMMAND_WORDS
        )
        is None
    )


def test_a_button_press_keeps_its_action_id_and_value() -> None:
    event = inbound.from_block_action(payload("block_actions"), START)
    assert event is not None
    assert event.kind is EventKind.BUTTON
    assert (event.action_id, event.action_value) == ("story.add_outcome", "17")
    assert event.channel_id == "C123ABC456"


def test_a_modal_submission_is_flattened_by_block_id() -> None:
    event = inbound.from_view_submission(payload("view_submission"), START)
    assert event is not None
    assert event.kind is EventKind.FORM_SUBMISSION
    assert event.form_id == "story_learning"
    assert dict(event.form_values) == {
        "hypothesis": "One-page checkout lifts completion",
        "learned": "It did not <!channel>",
        "tried": "",
        "result": "invalidated",
    }
    assert (event.channel_id, event.form_context) == ("C123ABC456", "C123ABC456")


def test_foreign_private_metadata_is_all_context() -> None:
    assert forms.unpack_metadata("C1") == ("", "C1")
    assert forms.unpack_metadata('{"a": 1}') == ("", '{"a": 1}')
    assert forms.unpack_metadata(forms.pack_metadata("C9", "x")) == ("C9", "x")


def test_the_message_shortcut_saves_the_picked_message() -> None:
    event = inbound.from_message_shortcut(payload("message_shortcut"), START)
    assert event is not None
    assert event.kind is EventKind.SHORTCUT
    assert event.target_text == (
        "We learned that trial users who import data on day one stay & pay"
    )
    assert event.target_message_id == "1581106238.000100"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"type": "event_callback"},
        {"type": "event_callback", "event": "nope", "team_id": "T1", "event_id": "Ev1"},
        {"type": "event_callback", "event": {"type": "app_mention"}, "team_id": "T1"},
        {"type": "view_submission", "team": None, "user": {"id": 5}},
        {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "actions": []},
    ],
)
def test_malformed_payloads_map_to_nothing(body: dict[str, Any]) -> None:
    for mapper in (
        inbound.from_event_callback,
        partial(inbound.from_slash_command, command_words=COMMAND_WORDS),
        inbound.from_block_action,
        inbound.from_view_submission,
        inbound.from_message_shortcut,
    ):
        assert mapper(body, START) is None
