"""Where replies to a Teams activity go: the turn's conversation, or the person alone."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.teams import answers
from adapters.teams.settings import TEAMS
from bot.events import ChatEvent, EventKind
from bot.replies import Outcome, Reply, Visibility


def event(*, direct: bool, kind: EventKind = EventKind.COMMAND) -> ChatEvent:
    return ChatEvent(
        platform=TEAMS,
        workspace_id="tenant-0001",
        channel_id="a:1" if direct else "19:c@thread.tacv2",
        user_id="ada",
        kind=kind,
        occurred_at=datetime(2027, 1, 4, tzinfo=UTC),
        is_direct=direct,
    )


PUBLIC = Reply("Team Checkout created.", visibility=Visibility.CHANNEL)
PRIVATE = Reply("Only for you.")


def test_in_a_channel_public_replies_stay_and_private_ones_go_to_the_person() -> None:
    sends = answers.plan(event(direct=False), Outcome(replies=(PUBLIC, PRIVATE)))
    assert [(s.private, s.activity["text"]) for s in sends] == [
        (False, "Team Checkout created."),
        (True, "Only for you."),
    ]


def test_in_a_personal_chat_everything_is_answered_in_place() -> None:
    sends = answers.plan(event(direct=True), Outcome(replies=(PUBLIC, PRIVATE)))
    assert [s.private for s in sends] == [False, False]


def test_form_errors_are_listed_privately_first() -> None:
    outcome = Outcome(replies=(PRIVATE,), form_errors={"learned": "Say what you learned."})
    [errors, reply] = answers.plan(event(direct=False, kind=EventKind.FORM_SUBMISSION), outcome)
    assert errors.private and reply.private
    assert "learned: Say what you learned." in str(errors.activity)


def test_the_fallback_note_says_where_to_ask_and_carries_nothing_private() -> None:
    note = answers.fallback()["text"]
    assert "open a chat with okrbot".casefold() in note.casefold()
