"""Teams activities to ChatEvents, on activities shaped as Teams sends them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.teams import inbound
from adapters.teams.settings import TEAMS
from bot.events import EventKind
from bot.runtime.router import COMMAND_WORDS
from tests.adapters.teams.payloads import (
    ADA,
    BOT_ID,
    CHANNEL,
    GRACE,
    PERSONAL_GRACE,
    TENANT,
    activity,
)
from tests.support.times import NOON


def one(payload: dict[str, object]):  # type: ignore[no-untyped-def]
    [event] = inbound.to_chat_events(payload, NOON, command_words=COMMAND_WORDS)
    return event


def test_a_mention_in_a_channel_is_a_command_without_the_mention() -> None:
    event = one(activity("channel_mention"))
    assert event.platform == TEAMS
    assert event.kind is EventKind.COMMAND
    assert event.text == "okr team create Checkout"
    assert event.mentions_bot and not event.is_direct
    assert (event.workspace_id, event.channel_id, event.user_id) == (TENANT, CHANNEL, ADA)
    assert event.user_name == "Ada Lovelace"
    assert event.thread_id == f"{CHANNEL};messageid=1798981200123"
    assert event.event_id == f"{CHANNEL};messageid=1798981200123|1798981200123"
    assert event.occurred_at == datetime(2027, 1, 4, 9, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["story learning it works", "/story learning it works"])
def test_the_slash_is_optional_in_a_personal_chat(typed: str) -> None:
    event = one(activity("personal_message", text=typed))
    assert event.kind is EventKind.COMMAND
    assert event.is_direct and event.channel_id == PERSONAL_GRACE
    assert event.text == typed and event.user_id == GRACE


def test_teams_html_escapes_are_undone() -> None:
    event = one(activity("personal_message"))
    assert event.text.endswith("a guest checkout <halves> drop-off")


def test_other_mentions_and_typed_at_tags_stay_plain_text() -> None:
    event = one(activity("html_message"))
    assert event.kind is EventKind.COMMAND
    assert event.text == "/shoutout Payments for pairing with Linus & sharing <at>notes</at>"
    assert event.channel_id == "19:group-chat@thread.v2" and not event.is_direct


def test_a_plain_answer_in_a_personal_chat_is_a_message() -> None:
    event = one(activity("personal_message", text="We bet on guest checkout"))
    assert event.kind is EventKind.MESSAGE and event.is_direct


def test_channel_chatter_that_names_a_command_word_is_no_command() -> None:
    chatter = activity("channel_mention", text="story time at lunch?", entities=[])
    event = one(chatter)
    assert event.kind is EventKind.MESSAGE and not event.mentions_bot


def test_a_card_submission_carries_its_form_and_inputs() -> None:
    event = one(activity("card_submit"))
    assert event.kind is EventKind.FORM_SUBMISSION
    assert event.form_id == "story_learning" and event.form_context == ""
    assert event.form_values == {
        "hypothesis": "Reviews drive trust",
        "learned": "People read reviews first",
        "result": "validated",
    }


def test_an_action_execute_invoke_is_a_submission_too() -> None:
    event = one(activity("invoke_action"))
    assert event.kind is EventKind.FORM_SUBMISSION
    assert (event.form_id, event.form_context, dict(event.form_values)) == (
        "story_impact",
        "ctx-1",
        {"who": "Buyers"},
    )


def test_a_button_press_is_a_button_event() -> None:
    event = one(activity("button_submit"))
    assert event.kind is EventKind.BUTTON
    assert (event.action_id, event.action_value) == ("retro.answer_form", "7")


def test_a_reaction_targets_the_message_it_reacts_to() -> None:
    event = one(activity("reaction"))
    assert event.kind is EventKind.REACTION
    assert (event.reaction, event.target_message_id) == ("like", "1798981200999")
    assert event.channel_id == CHANNEL


def test_each_person_added_joins_but_the_bot_does_not() -> None:
    events = inbound.to_chat_events(activity("members_added"), NOON, command_words=COMMAND_WORDS)
    assert [e.kind for e in events] == [EventKind.MEMBER_JOINED] * 2
    assert [e.user_id for e in events] == [
        "00000000-0000-0000-0000-0000000linus",
        "00000000-0000-0000-0000-00000barbara",
    ]
    assert len({e.event_id for e in events}) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"channelId": "slack"},
        {"channelData": {}, "conversation": {"id": "a:1", "conversationType": "personal"}},
        {"type": "typing"},
        {"type": "messageUpdate"},
        {"from": {"id": BOT_ID, "role": "bot"}},
        {"value": {"something": "else"}, "text": ""},
    ],
)
def test_what_the_bot_does_not_act_on_maps_to_nothing(changes: dict[str, object]) -> None:
    assert (
        inbound.to_chat_events(
            activity("personal_message", **changes), NOON, command_words=COMMAND_WORDS
        )
        == []
    )


def test_junk_never_raises() -> None:
    for junk in ({}, {"type": "message", "conversation": "x"}, {"type": "invoke", "value": 3}):
        assert inbound.to_chat_events(junk, NOON, command_words=COMMAND_WORDS) == []


def test_a_long_conversation_id_still_gives_a_short_unique_event_id() -> None:
    long = activity("personal_message")
    long["conversation"]["id"] = "a:" + "x" * 400
    event = one(long)
    assert len(event.event_id) <= 255 and event.event_id.startswith("sha256:")


def _mentioning_grace(text: str) -> dict[str, object]:
    payload = activity("channel_mention", text=text)
    payload["entities"] = [
        *payload["entities"],
        {
            "type": "mention",
            "text": "<at>Grace Hopper</at>",
            "mentioned": {"id": "29:1grace-account", "name": "Grace Hopper"},
        },
    ]
    return payload


def test_a_mentioned_person_becomes_a_mention_the_core_reads_when_known() -> None:
    payload = _mentioning_grace("<at>okrbot</at> okr team lead <at>Grace Hopper</at>")
    [known] = inbound.to_chat_events(
        payload, NOON, command_words=COMMAND_WORDS, people={"29:1grace-account": "aad-grace"}
    )
    assert known.text == "okr team lead <@aad-grace|Grace Hopper>"
    [unknown] = inbound.to_chat_events(payload, NOON, command_words=COMMAND_WORDS)
    assert unknown.text == "okr team lead Grace Hopper"


def test_typed_marks_cannot_forge_a_mention() -> None:
    typed = "<at>okrbot</at> okr team lead \ue0000\ue001 <at>Grace Hopper</at>"
    [event] = inbound.to_chat_events(
        _mentioning_grace(typed),
        NOON,
        command_words=COMMAND_WORDS,
        people={"29:1grace-account": "g"},
    )
    assert event.text == "okr team lead 0 <@g|Grace Hopper>"


def test_the_app_added_is_told_apart_from_people_joining() -> None:
    added = activity("members_added")
    assert inbound.bot_added(added)
    people_only = {**added, "membersAdded": added["membersAdded"][1:]}
    assert not inbound.bot_added(people_only)
    installed = {**added, "type": "installationUpdate", "action": "add"}
    assert inbound.bot_added(installed)
    assert not inbound.bot_added({**installed, "action": "remove"})
    assert inbound.unknown_invoke({**activity("invoke_action"), "name": "task/fetch"})
    assert not inbound.unknown_invoke(activity("invoke_action"))
