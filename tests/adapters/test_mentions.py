"""Every adapter writes a person's mention in the kernel's one form, which the domain reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console import ConsoleState, to_chat_event
from adapters.slack import inbound as slack
from adapters.teams import inbound as teams
from bot.clock import ManualClock
from bot.events import mention, mentioned
from bot.runtime.router import COMMAND_WORDS
from retrospectives.okrs import commands
from tests.adapters.teams.payloads import activity

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
SLACK_PAYLOADS = Path(__file__).parent / "slack" / "payloads"


def test_the_kernel_form_names_the_person_and_reads_back() -> None:
    assert mention("U2") == "<@U2>"
    assert mention("U2", "bea") == "<@U2|bea>"
    assert mention("U2", "b>ea") == "<@U2|bea>"  # a name never closes the mention early
    assert mentioned(mention("aad-grace", "Grace Hopper")) == "aad-grace"
    assert mentioned("@U2") is None and mentioned("Grace") is None and mentioned("<#C1>") is None


def test_slack_mentions_arrive_in_the_kernel_form() -> None:
    body = json.loads((SLACK_PAYLOADS / "app_mention.json").read_text())
    body["event"]["text"] = "<@U0LAN0Z89> okr team lead <@U2|bea>"
    event = slack.from_event_callback(body, NOW)
    assert event is not None and event.text == "okr team lead " + mention("U2", "bea")
    assert commands.parse_user(event.text.removeprefix("okr team lead ")) == "U2"


def test_slack_slash_command_mentions_arrive_in_the_kernel_form() -> None:
    body = json.loads((SLACK_PAYLOADS / "slash_command.json").read_text())
    body |= {"command": "/okr", "text": "team lead <@U2>"}
    event = slack.from_slash_command(body, NOW, command_words=COMMAND_WORDS)
    assert event is not None and event.text == "/okr team lead " + mention("U2")


def test_teams_mention_entities_arrive_in_the_kernel_form() -> None:
    payload = activity("channel_mention", text="<at>okrbot</at> okr team lead <at>Grace</at>")
    payload["entities"] = [
        *payload["entities"],
        {
            "type": "mention",
            "text": "<at>Grace</at>",
            "mentioned": {"id": "29:1g", "name": "Grace"},
        },
    ]
    [event] = teams.to_chat_events(
        payload, NOW, command_words=COMMAND_WORDS, people={"29:1g": "aad-grace"}
    )
    assert event.text == "okr team lead " + mention("aad-grace", "Grace")
    assert commands.parse_user(event.text.removeprefix("okr team lead ")) == "aad-grace"


@pytest.fixture
def state() -> ConsoleState:
    return ConsoleState(clock=ManualClock(NOW))


def test_the_console_turns_an_id_said_to_the_bot_into_a_mention(state) -> None:
    event = to_chat_event("/okr team lead @U2", state)
    assert event.text == "/okr team lead " + mention("U2")
    assert to_chat_event("@okrbot okr team lead @U2.", state).text == "okr team lead <@U2>."


def test_the_console_leaves_addresses_and_channel_chatter_alone(state) -> None:
    assert to_chat_event("/story learning ask ana@example.com", state).text.endswith(
        "ana@example.com"
    )
    assert to_chat_event("thanks @U2", state).text == "thanks @U2"
    state.direct = True
    assert to_chat_event("thanks @U2", state).text == "thanks <@U2>"
