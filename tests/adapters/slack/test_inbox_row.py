"""The edge reads an event's inbox row from a few fields; the worker checks and maps the rest.

Whatever the body, the row read at the edge is the one the full mapping gives (so nothing that
should be handled is lost, and its conversation and de-duplication key are the same), and a
body the edge keeps that does not fit its shape is dropped by the worker with a log line.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import inbound, intake, shapes
from adapters.slack.intake import SlackIntake, Unfit, row
from bot.events import ChatEvent, Inbound, Unreadable
from bot.replies import Outcome
from tests.adapters.slack.test_shapes import with_field
from tests.fuzz.mutations import dumps, spoiled
from tests.support.times import START

PAYLOADS = Path(__file__).parent / "payloads"
KEPT = [
    "app_mention",
    "message_im",
    "bot_message_im",
    "message_changed_im",
    "reaction_added",
    "app_home_opened",
    "member_joined_channel",
]
BODIES = {name: json.loads((PAYLOADS / f"{name}.json").read_text()) for name in KEPT}
SAME = settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def both(raw: str) -> tuple[Inbound | str | None, Inbound | str | None]:
    """The row the edge keeps now, and the one the full shape check and mapping give:
    a row, None (acked, not kept) or "unfit" (acked and logged, not kept)."""
    try:
        lean_parsed = shapes.parse(raw, "application/json", clean=False)
        full_parsed = shapes.parse(raw, "application/json")
    except Unreadable:
        return "unreadable", "unreadable"
    if not intake.kept(lean_parsed):
        return "other", "other"
    try:
        lean: Inbound | str | None = row(lean_parsed, raw, START)
    except Unfit:
        lean = "unfit"
    full = inbound.to_inbound(full_parsed, raw, START) if shapes.fits(full_parsed) else "unfit"
    return lean, full


def handled_later(raw: str) -> bool:
    """Whether the worker would act on a stored body."""
    parsed = shapes.parse(raw, "")
    return shapes.fits(parsed) and inbound.from_event_callback(parsed, START) is not None


def agree(raw: str) -> None:
    lean, full = both(raw)
    if isinstance(full, Inbound):
        assert lean == full  # what should be handled is kept, under the same keys
    elif isinstance(lean, Inbound):
        assert not handled_later(raw)  # kept, then dropped by the worker
    else:
        assert lean == full or {lean, full} <= {None, "unfit"}


@SAME
@given(data=st.data(), name=st.sampled_from(KEPT))
def test_spoiled_events_get_the_row_the_full_mapping_gives(data: st.DataObject, name: str) -> None:
    agree(dumps(data.draw(spoiled(BODIES[name]))))


@SAME
@given(data=st.data(), name=st.sampled_from(KEPT))
def test_any_field_set_to_anything_gets_the_row_the_full_mapping_gives(
    data: st.DataObject, name: str
) -> None:
    agree(dumps(data.draw(with_field(data.draw(with_field(BODIES[name]))))))


def mention(**event: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(BODIES["app_mention"]))
    body["event"].update(event)
    return body


@pytest.mark.parametrize(
    "body",
    [
        mention(user=42),
        mention(channel="C" * 61),
        mention(channel="C1\n"),
        {**mention(), "event_id": ["Ev1"]},
        {**mention(), "team_id": "T\u00001"},
        {**mention(), "authorizations": [{"team_id": 5}]},
        {**mention(), "event_id": "x" * 61},
    ],
)
def test_ids_that_are_not_ids_are_refused_at_the_edge(body: dict[str, Any]) -> None:
    assert both(json.dumps(body)) == ("unfit", "unfit")


def test_a_reaction_is_kept_in_its_message_s_conversation() -> None:
    lean, full = both(json.dumps(BODIES["reaction_added"]))
    assert isinstance(lean, Inbound) and lean == full
    assert lean.conversation == BODIES["reaction_added"]["event"]["item"]["channel"]


class Handler:
    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    async def __call__(self, event: ChatEvent) -> Outcome:
        self.events.append(event)
        return Outcome()


async def no_client(workspace: str) -> Any:
    raise AssertionError("nothing to send")


async def test_a_kept_body_that_does_not_fit_is_dropped_by_the_worker_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = json.dumps(mention(text=12345, blocks="not blocks"))
    lean, _ = both(raw)
    assert isinstance(lean, Inbound)  # the edge reads its ids and keeps it
    handle = Handler()
    worker = SlackIntake(handle, no_client, lambda work: None)
    with caplog.at_level(logging.INFO, logger="adapters.slack.intake"):
        await worker(raw, START)
    assert handle.events == []
    assert "dropped a Slack event okrbot cannot read" in caplog.text
    await worker(json.dumps(mention()), START)  # a good one is handled
    assert [event.user_id for event in handle.events] == ["U061F7AUR"]
