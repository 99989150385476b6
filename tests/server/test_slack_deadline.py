"""Inline answers have a deadline: past it Slack gets its ack at once, and the answer follows.

okrbot is slowed from outside: a second connection holds the database (a SQLite write lock, or
on PostgreSQL the ledger every command writes first, locked), so the command waits as it would
behind a long transaction or a burst. The deadline is shortened to keep the tests short.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest

from adapters.slack import listeners, texts
from storage.core import Team
from storage.okr import LearningStory
from tests.server.rig import SlackRig, view_submission
from tests.support import databases
from tests.support.locks import DatabaseHeld
from tests.support.rig import Answer
from tests.support.rows import count

DEADLINE = 1.0
MARGIN = 1.5  # the ack's own way through signing, Bolt and a busy machine
HOLD = 4.0  # how long the database stays held if the test does not let it go sooner


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listeners, "INLINE_DEADLINE", DEADLINE)


@pytest.fixture
async def slack_postgres(postgres_ready: bool) -> AsyncIterator[SlackRig]:
    await databases.empty_postgres()
    async with await SlackRig.start(databases.POSTGRES_URL) as rig:
        yield rig


async def held(rig: SlackRig, seconds: float | None = HOLD) -> DatabaseHeld:
    rig.handles_events = False  # the rig would drain the inbox after each answer, and wait too
    database = DatabaseHeld(rig.server.okrbot.engine.url)
    await database.hold(for_seconds=seconds)
    return database


async def timed_command(rig: SlackRig, line: str, **where: str) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = await rig.command(line, **where)
    return answer, time.monotonic() - started


async def test_a_fast_command_is_answered_in_its_ack(slack: SlackRig) -> None:
    answer, _took = await timed_command(slack, "/okr team create Checkout")
    await slack.settle()
    assert answer.status == 200 and "Checkout" in answer.json()["text"]
    assert texts.WORKING not in answer.body
    assert slack.fake.to("response_url") == []


async def test_a_slow_command_is_acked_in_time_and_answered_at_its_response_url(
    slack: SlackRig, short_deadline: None
) -> None:
    database = await held(slack)
    try:
        answer, took = await timed_command(slack, "/okr team create Checkout")
        assert answer.status == 200 and took < DEADLINE + MARGIN, f"acked after {took:.2f} s"
        assert answer.json() == {"response_type": "ephemeral", "text": texts.WORKING}
        assert database.held and slack.fake.to("response_url") == []
    finally:
        await database.release()
    await slack.settle()
    (late,) = slack.fake.to("response_url")
    # What it says is what the ack would have said, as a quick command in C2 shows.
    slack.handles_events = True
    quick, _took = await timed_command(slack, "/okr team create Payments", channel="C2")
    await slack.settle()
    assert json.loads(late.text().replace("Checkout", "Payments")) == quick.json()
    assert len(slack.fake.to("response_url")) == 1
    assert await count(slack, Team) == 2


async def test_a_modal_with_errors_past_the_deadline_is_answered_privately(
    slack: SlackRig, short_deadline: None
) -> None:
    await slack.command("/okr team create Checkout")
    await slack.command("/story learning")
    await slack.settle()
    (modal,) = slack.fake.to("views.open")
    shown = modal.arguments["view"]
    submitted = view_submission(
        "story_learning",
        {"hypothesis": "Guest checkout helps", "learned": "  "},
        metadata=shown["private_metadata"],
        shown=shown,
    )
    database = await held(slack)
    try:
        started = time.monotonic()
        answer = await slack.interaction(submitted)
        took = time.monotonic() - started
        assert (answer.status, answer.body) == (200, ""), "an empty ack closes the modal"
        assert took < DEADLINE + MARGIN, f"acked after {took:.2f} s"
    finally:
        await database.release()
    await slack.settle()
    (told,) = slack.fake.to("chat.postEphemeral")
    assert (told.arguments["channel"], told.arguments["user"]) == ("C1", "U1")
    assert "What did we learn?" in told.arguments["text"]  # the field, by its label
    assert "What did we learn?" in told.text() and "Please fill this in." in told.text()
    assert await count(slack, LearningStory) == 0


@pytest.mark.postgres
async def test_a_command_that_fails_after_its_early_ack_says_so_and_records_nothing(
    slack_postgres: SlackRig, short_deadline: None
) -> None:
    rig = slack_postgres
    database = await held(rig, seconds=None)
    try:
        answer = await rig.command("/okr team create Checkout")
        assert answer.json()["text"] == texts.WORKING
        assert await database.cut_off_the_waiting() == 1  # its connection dies mid-wait
        await rig.server.background.drain()
    finally:
        await database.release()
    (told,) = rig.fake.to("response_url")
    assert told.arguments["text"] == texts.DID_NOT_WORK
    assert told.arguments["response_type"] == "ephemeral"
    assert await count(rig, Team) == 0
    again = await rig.command("/okr team create Checkout")
    assert again.status == 200 and "Checkout" in again.json()["text"]
    assert await count(rig, Team) == 1
