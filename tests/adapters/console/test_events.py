"""The console turns typed lines into the events a person would cause in Slack."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console import CONSOLE, ConsoleState, to_chat_event
from adapters.console import directives as d
from adapters.console.events import button_event, form_event
from adapters.console.state import OnScreenButton
from bot.clock import ManualClock
from bot.events import EventKind
from bot.replies import Button, Form
from tests.support.times import NOON


@pytest.fixture
def state():
    return ConsoleState(clock=ManualClock(NOON), workspace_id="W1", channel_id="C1", user_id="U1")


def test_a_slash_line_is_a_command_from_the_current_person_and_place(state):
    event = to_chat_event("/story learning it did not work  ", state)
    assert event.kind is EventKind.COMMAND
    assert event.text == "/story learning it did not work"
    assert event.platform == CONSOLE
    assert (event.workspace_id, event.channel_id, event.user_id) == ("W1", "C1", "U1")
    assert event.occurred_at == NOON
    assert not event.is_direct and not event.mentions_bot


def test_a_mention_of_the_bot_is_stripped_and_noted(state):
    event = to_chat_event("@okrbot story impact who: buyers", state)
    assert event.kind is EventKind.MESSAGE
    assert event.mentions_bot
    assert event.text == "story impact who: buyers"


def test_a_mention_of_someone_else_stays_in_the_text(state):
    event = to_chat_event("@okrbotfan hi", state)
    assert not event.mentions_bot
    assert event.text == "@okrbotfan hi"


def test_a_plain_line_in_a_channel_is_a_message_nobody_addressed_to_the_bot(state):
    event = to_chat_event("lunch?", state)
    assert event.kind is EventKind.MESSAGE
    assert not event.is_direct and not event.mentions_bot


def test_in_the_direct_chat_lines_are_direct_messages(state):
    state.direct = True
    event = to_chat_event("skip", state)
    assert event.is_direct
    assert event.channel_id == "DU1"


def test_event_ids_differ_per_event_and_per_session(state):
    other = ConsoleState(clock=state.clock)
    state.events_sent = 1
    first = to_chat_event("a", state).event_id
    state.events_sent = 2
    second = to_chat_event("a", state).event_id
    other.events_sent = 1
    assert len({first, second, to_chat_event("a", other).event_id}) == 3


def test_a_pressed_button_carries_its_action_and_message(state):
    shown = OnScreenButton(Button("Post anyway", "shoutout.post", "7"), "m-3", "C2", False)
    event = button_event(state, shown)
    assert event.kind is EventKind.BUTTON
    assert (event.action_id, event.action_value) == ("shoutout.post", "7")
    assert (event.target_message_id, event.channel_id) == ("m-3", "C2")


def test_a_form_submission_hands_back_the_context_it_was_shown_with(state):
    state.forms["story_outcome"] = Form("story_outcome", "What changed?", (), context="C1")
    event = form_event(state, "story_outcome", {"outcome": "buyers return"})
    assert event.kind is EventKind.FORM_SUBMISSION
    assert event.form_values == {"outcome": "buyers return"}
    assert event.form_context == "C1"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", d.Nothing()),
        ("   ", d.Nothing()),
        ("# a comment", d.Nothing()),
        ("!user U2", d.ActAs("U2")),
        ("!channel #C2", d.MoveTo("C2")),
        ("!channel C2", d.MoveTo("C2")),
        ("!dm", d.GoDirect()),
        ("!workspace W9", d.UseWorkspace("W9")),
        ("!press 2", d.Press(2)),
        ("!help", d.ShowHelp()),
        ("!react", d.React("+1")),
        ("!react :tada:", d.React("tada")),
        ("!time 2027-01-04T09:00", d.SetTime(moment=datetime(2027, 1, 4, 9, tzinfo=UTC))),
        (
            "!time 2027-01-04T10:00+01:00",
            d.SetTime(moment=datetime(2027, 1, 4, 9, tzinfo=UTC)),
        ),
        ("!time +7d", d.SetTime(step=timedelta(days=7))),
        ("!time +90m", d.SetTime(step=timedelta(minutes=90))),
        (
            "!form story_learning hypothesis=short is better | learned = it is not",
            d.SubmitForm(
                "story_learning", {"hypothesis": "short is better", "learned": "it is not"}
            ),
        ),
        ("/okr help", d.Chat("/okr help")),
    ],
)
def test_directives_are_read(line, expected):
    assert d.read(line) == expected


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("!frobnicate", "!help"),
        ("!time garbage", "ISO-8601"),
        ("!time", "!time 2027-01-04T09:00"),
        ("!time 2027-13-45", "ISO-8601"),
        ("!press", "!press 1"),
        ("!press zero", "!press 1"),
        ("!press 0", "!press 1"),
        ("!user", "!user U2"),
        ("!user two words", "!user U2"),
        ("!form", "!form <form id>"),
        ("!form story_learning hypothesis", "name=value"),
        ("!dm now", "!help"),
    ],
)
def test_unreadable_directives_explain_what_to_type(line, hint):
    read = d.read(line)
    assert isinstance(read, d.Problem)
    assert hint in read.message
