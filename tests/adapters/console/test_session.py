"""A console session: directives steer it, events reach the handler, replies are printed."""

import io
from datetime import UTC, datetime

import pytest

from adapters.console import ConsoleChatPort, ConsoleDirectory, ConsoleSession, ConsoleState
from bot.clock import ManualClock
from bot.events import EventKind
from bot.replies import Button, Form, FormInput, Outcome, Reply, Visibility
from tests.support.times import START


class Bot:
    """A stand-in for the core: records events and answers with what it is told."""

    def __init__(self):
        self.events = []
        self.answers = []

    async def __call__(self, event):
        self.events.append(event)
        return self.answers.pop(0) if self.answers else Outcome()


@pytest.fixture
def out():
    return io.StringIO()


@pytest.fixture
def bot():
    return Bot()


@pytest.fixture
def session(out, bot):
    state = ConsoleState(clock=ManualClock(START))
    return ConsoleSession(state, bot, out)


async def test_each_line_reaches_the_bot_with_a_new_event_id(session, bot):
    await session.play(["/okr help", "/okr help"])
    assert [e.text for e in bot.events] == ["/okr help", "/okr help"]
    assert bot.events[0].event_id != bot.events[1].event_id


async def test_comments_blank_lines_and_directives_never_reach_the_bot(session, bot, out):
    await session.play(["# hello", "", "!user U2", "!channel C2", "!time +1d", "!help"])
    assert bot.events == []
    assert "you are U2 now" in out.getvalue()
    assert "Console directives" in out.getvalue()


async def test_directives_change_who_speaks_where_and_when(session, bot):
    await session.play(["!user U2", "!channel C7", "!time 2027-02-01T08:30", "hello", "!dm", "hi"])
    in_channel, direct = bot.events
    assert (in_channel.user_id, in_channel.channel_id) == ("U2", "C7")
    assert in_channel.occurred_at == datetime(2027, 2, 1, 8, 30, tzinfo=UTC)
    assert direct.is_direct and direct.channel_id == "DU2"


async def test_replies_are_printed_with_who_sees_them(session, bot, out):
    bot.answers = [
        Outcome(
            replies=(
                Reply("Saved."),
                Reply("A story from Checkout", visibility=Visibility.CHANNEL),
            )
        )
    ]
    await session.feed("/story learning it worked")
    assert out.getvalue().splitlines() == [
        "okrbot (only you see this): Saved.",
        "okrbot in #C1: A story from Checkout",
    ]


async def test_press_sends_the_button_of_the_last_reply(session, bot, out):
    buttons = (Button("Post anyway", "shoutout.post", "7"), Button("Discard", "shoutout.no", "7"))
    bot.answers = [Outcome(replies=(Reply("Post it?", buttons=buttons),))]
    await session.play(["/shoutout Checkout hit the KR", "!press 2"])
    pressed = bot.events[-1]
    assert pressed.kind is EventKind.BUTTON
    assert (pressed.action_id, pressed.action_value) == ("shoutout.no", "7")
    assert "[2] Discard" in out.getvalue()


async def test_pressing_a_missing_button_explains_and_sends_nothing(session, bot, out):
    await session.feed("!press 9")
    bot.answers = [Outcome(replies=(Reply("Post it?", buttons=(Button("Post", "p"),)),))]
    await session.play(["/shoutout x", "!press 9"])
    assert len(bot.events) == 1
    assert "no button to press" in out.getvalue()
    assert "there is no button 9; press one of 1." in out.getvalue()


async def test_a_form_can_be_submitted_with_its_context(session, bot, out):
    form = Form("story_outcome", "What changed?", (FormInput("outcome", "What?"),), context="C1")
    bot.answers = [
        Outcome(replies=(Reply("What changed?", form=form),)),
        Outcome(replies=(Reply("Missing"),), form_errors={"outcome": "Please fill this in."}),
    ]
    await session.play(["/story outcome", "!form story_outcome outcome="])
    submitted = bot.events[-1]
    assert submitted.kind is EventKind.FORM_SUBMISSION
    assert submitted.form_values == {"outcome": ""}
    assert submitted.form_context == "C1"
    assert "!form story_outcome outcome=..." in out.getvalue()
    assert "  outcome: Please fill this in." in out.getvalue()


async def test_bad_directives_get_a_hint_and_the_session_goes_on(session, bot, out):
    await session.play(["!time garbage", "!frobnicate", "!press 9", "/okr help"])
    printed = out.getvalue()
    assert "can't read 'garbage' as a time" in printed
    assert "don't know the directive '!frobnicate'" in printed
    assert len(bot.events) == 1


async def test_a_failing_core_is_reported_and_the_session_goes_on(out):
    async def broken(event):
        raise RuntimeError("boom")

    session = ConsoleSession(ConsoleState(clock=ManualClock(START)), broken, out)
    await session.play(["/okr help", "!user U2"])
    assert "okrbot failed on that line (RuntimeError: boom)" in out.getvalue()
    assert "you are U2 now" in out.getvalue()


async def test_after_each_event_the_composition_gets_its_turn(out, bot):
    calls = []

    async def deliver():
        calls.append(len(bot.events))

    session = ConsoleSession(ConsoleState(clock=ManualClock(START)), bot, out, after_event=deliver)
    await session.play(["/okr help", "!user U2", "hello", "!time +1d"])
    assert calls == [1, 2, 2]


async def test_echo_prints_the_line_after_a_prompt(out, bot):
    session = ConsoleSession(ConsoleState(clock=ManualClock(START)), bot, out, echo=True)
    await session.play(["/okr help", "# quiet"])
    assert out.getvalue() == "U1 in #C1> /okr help\n"


async def test_run_reads_a_stream_to_its_end(session, bot):
    await session.run(io.StringIO("/okr help\n!user U2\n/okr help\n"))
    assert [e.user_id for e in bot.events] == ["U1", "U2"]


async def test_react_targets_the_bots_last_message_in_this_channel(out, bot):
    state = ConsoleState(clock=ManualClock(START))
    port = ConsoleChatPort(state, out)
    session = ConsoleSession(state, bot, out)
    await session.feed("!react")
    assert "okrbot has said nothing in #C1 yet" in out.getvalue()
    message_id = await port.send("W1", "C1", Reply("Shout-out to Checkout"))
    await session.feed("!react tada")
    reaction = bot.events[-1]
    assert reaction.kind is EventKind.REACTION
    assert (reaction.target_message_id, reaction.reaction) == (message_id, "tada")


async def test_the_port_prints_deliveries_and_returns_distinct_ids(out):
    state = ConsoleState(clock=ManualClock(START))
    port = ConsoleChatPort(state, out)
    first = await port.send("W1", "C2", Reply("Hello team"))
    second = await port.send_direct(
        "W1", "U3", Reply("Your digest", buttons=(Button("Open", "o"),))
    )
    assert first != second
    assert out.getvalue().splitlines() == [
        "okrbot → #C2: Hello team",
        "okrbot → @U3 (direct): Your digest",
        "  [1] Open",
    ]
    assert state.buttons[0].channel_id == "DU3" and state.buttons[0].is_direct


async def test_the_directory_knows_who_acted_in_a_channel(out, bot):
    state = ConsoleState(clock=ManualClock(START))
    directory = ConsoleDirectory(state)
    session = ConsoleSession(state, bot, out)
    await session.play(["hello", "!user U2", "hi", "!channel C2", "hey", "!dm", "psst"])
    directory.add_member("W1", "C1", "U9")
    assert await directory.channel_members("W1", "C1") == ["U1", "U2", "U9"]
    assert await directory.channel_members("W1", "C2") == ["U2"]
    assert await directory.user_timezone("W1", "U1") is None
