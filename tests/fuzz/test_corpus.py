"""The nastiest requests the fuzz suite found, kept: each gets its exact answer and stores
nothing; text no database stores is cleaned, so the request succeeds once on both."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.entry import logs
from bot.events import MAX_STRING
from storage.okr import LearningStory
from tests.adapters.slack.signing import signature
from tests.fuzz.conftest import stored, tracebacks
from tests.fuzz.mutations import TOO_DEEP, dumps
from tests.fuzz.test_slack_fuzz import payload
from tests.server.rig import SlackRig, view_submission
from tests.server.teams_rig import TeamsRig

FORM = "application/x-www-form-urlencoded"
TOO_LARGE = "x" * (1024 * 1024 + 1)


def event(number: int, **changes: Any) -> dict[str, Any]:
    body = {**payload("app_mention"), "team_id": "T1", "event_id": f"EvCorpus{number}"}
    spoilt = changes.pop("event", {})
    body["event"] = None if spoilt is None else {**body["event"], "channel": "C1", **spoilt}
    return {**body, **changes}


def interaction(name: str, **changes: Any) -> str:
    body = {**payload(name), "response_urls": [], **changes}
    return urlencode({"payload": dumps(body)})


def untyped_view() -> dict[str, Any]:
    view: dict[str, Any] = payload("view_submission")["view"]
    return {name: value for name, value in view.items() if name != "type"}


def step_view() -> dict[str, Any]:
    return {**payload("view_submission")["view"], "type": "workflow_step"}


SLACK = [
    # Events Slack could never make readable: 200, so that Slack does not send them again.
    ("a user that is a number", dumps(event(1, event={"user": 12345})), "json", 200),
    ("an event that is null", dumps(event(2, event=None)), "json", 200),
    ("authorizations that are a string", dumps(event(3, authorizations="abc")), "json", 200),
    ("an event with no type", dumps(event(4, event={"type": None})), "json", 200),
    ("a channel that is a list", dumps(event(5, event={"channel": ["C1"]})), "json", 200),
    ("an enterprise that is a number", dumps(event(6, enterprise=7)), "json", 200),
    # Interactions that cannot be read: 400, nothing done.
    ("actions that are a string", interaction("block_actions", actions="x"), "form", 400),
    ("no actions at all", interaction("block_actions", actions=[]), "form", 400),
    ("an action without its id", interaction("block_actions", actions=[{}]), "form", 400),
    ("a view that is null", interaction("view_submission", view=None), "form", 400),
    ("an action's view that is null", interaction("block_actions", view=None), "form", 400),
    ("a shortcut's view that is null", interaction("message_shortcut", view=None), "form", 400),
    (
        "a view that is null on a type nobody handles",
        interaction("block_actions", type="dialog_submission", view=None),
        "form",
        400,
    ),
    ("a view without callback id", interaction("view_submission", view={}), "form", 400),
    ("a user that is a number", interaction("message_shortcut", user=7), "form", 400),
    ("a team that is a list", interaction("message_shortcut", team=[1]), "form", 400),
    ("a shortcut with no callback", interaction("message_shortcut", callback_id=None), "form", 400),
    ("a view without its type", interaction("view_submission", view=untyped_view()), "form", 400),
    (
        "a workflow step saved without its step",
        interaction("view_submission", view=step_view()),
        "form",
        400,
    ),
    (
        "a workflow step edited without its step",
        interaction("message_shortcut", type="workflow_step_edit"),
        "form",
        400,
    ),
    ("a payload that is a list", urlencode({"payload": "[1, 2]"}), "form", 400),
    (
        "a team id of 100 characters",
        urlencode({"command": "/okr", "team_id": "T" * 100}),
        "form",
        400,
    ),
    # Bounded parsing, before the shape is known.
    ("nesting 5,000 deep", dumps(event(7, event={"blocks": TOO_DEEP})), "json", 400),
    (
        "nesting 40 deep",
        dumps(event(8, event={"blocks": json.loads("[" * 40 + "]" * 40)})),
        "json",
        400,
    ),
    ("a string of 50,001", dumps(event(9, event={"text": "x" * (MAX_STRING + 1)})), "json", 400),
    (
        "an integer of 5,000 digits",
        '{"type": "event_callback", "n": ' + "9" * 5000 + "}",
        "json",
        400,
    ),
    ("a body over 1 MiB", TOO_LARGE, "json", 413),
]


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [pytest.param(b, k, s, id=name) for name, b, k, s in SLACK],
)
async def test_slack_answers_what_it_cannot_read_exactly_once(
    slack_sqlite: SlackRig, caplog: pytest.LogCaptureFixture, body: str, kind: str, status: int
) -> None:
    before = await stored(slack_sqlite.server)
    answer = await slack_sqlite.post(body, "application/json" if kind == "json" else FORM)
    assert answer.status == status
    assert await stored(slack_sqlite.server) == before
    assert not tracebacks(caplog)


def activity(rig: TeamsRig, **changes: Any) -> str:
    return dumps(rig.in_personal_chat(changes.pop("text", "okr help"), **changes))


TEAMS = [
    ("a conversation that is a string", {"conversation": "19:x"}, 400),
    ("a sender that is a number", {"from": 5}, 400),
    ("entities that are a string", {"entities": "x"}, 400),
    ("members that are numbers", {"membersAdded": [1]}, 400),
    ("channel data that is a list", {"channelData": []}, 400),
    ("no type", {"type": None}, 400),
    ("an id with a NUL in it", {"id": "1\x002"}, 400),
    ("an id of 200 characters", {"id": "9" * 200}, 400),
    ("nesting 5,000 deep", {"value": TOO_DEEP}, 400),
    ("a string of 50,001", {"text": "x" * (MAX_STRING + 1)}, 400),
]


@pytest.mark.parametrize(
    ("changes", "status"), [pytest.param(c, s, id=name) for name, c, s in TEAMS]
)
async def test_teams_answers_what_it_cannot_read_exactly_once(
    teams_sqlite: TeamsRig, caplog: pytest.LogCaptureFixture, changes: dict[str, Any], status: int
) -> None:
    before = await stored(teams_sqlite.server)
    response = await teams_sqlite.client.post(
        "/api/messages",
        data=activity(teams_sqlite, **changes),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == status
    assert await stored(teams_sqlite.server) == before
    assert not tracebacks(caplog)


async def test_teams_refuses_a_body_over_1_mib(teams_sqlite: TeamsRig) -> None:
    response = await teams_sqlite.client.post(
        "/api/messages", data=TOO_LARGE, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413


async def learned(server: Any) -> list[str]:
    async with server.okrbot.sessions() as session:
        return [s.learned or "" for s in await session.scalars(select(LearningStory))]


async def test_slack_text_with_nul_and_a_lone_surrogate_is_saved_once(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    typed = "story learning hypothesis: badges | learned: a\x00b\ud800c"
    mention = {"type": "app_mention", "user": "U1", "text": f"<@UBOT0001> {typed}", "channel": "C1"}
    first = await slack.event(mention, event_id="EvCorpusText")
    form = view_submission(
        "story_learning",
        {"hypothesis": "h\x00", "learned": "d\udfffe"},
        metadata='{"channel":"C1","context":""}',
    )
    second = await slack.interaction(json.loads(dumps(form)))
    assert (first.status, second.status) == (200, 200)
    assert sorted(await learned(slack.server)) == ["a\ufffdb\ufffdc", "d\ufffde"]


async def test_teams_text_with_nul_and_a_lone_surrogate_is_saved_once(teams: TeamsRig) -> None:
    await teams.post(teams.in_channel("okr team create Checkout"))
    typed = teams.in_channel("story learning hypothesis: badges | learned: a\x00b\ud800c")
    typed["from"] = {**typed["from"], "name": "Ada\x00"}
    response = await teams.client.post(
        "/api/messages", data=dumps(typed), headers={"Content-Type": "application/json"}
    )
    assert response.status == 200
    await teams.settle()  # kept in the inbox as Teams sent it, handled after the ack
    assert await learned(teams.server) == ["a\ufffdb\ufffdc"]


UNDECODABLE = [
    ("gzip that is not gzip", "application/json", {"Content-Encoding": "gzip"}),
    ("deflate that is not deflate", "application/json", {"Content-Encoding": "deflate"}),
    ("an unknown charset", "application/json; charset=bogus", {}),
]


@pytest.mark.parametrize(
    ("content_type", "headers"), [pytest.param(c, h, id=name) for name, c, h in UNDECODABLE]
)
async def test_slack_answers_400_to_a_body_it_cannot_decode(
    slack_sqlite: SlackRig,
    caplog: pytest.LogCaptureFixture,
    content_type: str,
    headers: dict[str, str],
) -> None:
    body = dumps(event(10))
    stamp = str(int(time.time()))
    before = await stored(slack_sqlite.server)
    response = await slack_sqlite.client.post(
        "/slack/events",
        data=body.encode(),  # bytes: the client would refuse to encode for an unknown charset
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(slack_sqlite.secret, stamp, body),
            **headers,
        },
    )
    assert response.status == 400
    assert await stored(slack_sqlite.server) == before
    assert not tracebacks(caplog)


@pytest.mark.parametrize(
    ("content_type", "headers"), [pytest.param(c, h, id=name) for name, c, h in UNDECODABLE]
)
async def test_teams_answers_400_to_a_body_it_cannot_decode(
    teams_sqlite: TeamsRig,
    caplog: pytest.LogCaptureFixture,
    content_type: str,
    headers: dict[str, str],
) -> None:
    before = await stored(teams_sqlite.server)
    response = await teams_sqlite.client.post(
        "/api/messages",
        data=activity(teams_sqlite).encode(),
        headers={"Content-Type": content_type, **headers},
    )
    assert response.status == 400
    assert await stored(teams_sqlite.server) == before
    assert not tracebacks(caplog)


async def test_a_body_cut_off_mid_deflate_is_a_400_logged_without_a_traceback(
    slack_sqlite: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    logs.install(handlers=[caplog.handler])
    cut = zlib.compress(dumps(event(11)).encode())[:-6]  # aiohttp finds out at the body's end
    response = await slack_sqlite.client.post(
        "/slack/events",
        data=cut,
        headers={"Content-Type": "application/json", "Content-Encoding": "deflate"},
    )
    assert response.status == 400
    for _ in range(200):  # aiohttp logs it as the connection closes, after the answer
        if any("Error handling request" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.01)
    [line] = [r for r in caplog.records if "Error handling request" in r.getMessage()]
    # The redacting filter turns a traceback into exc_text, so that is where one would be.
    assert (line.levelno, line.exc_text) == (logging.INFO, None)
    assert "ContentEncodingError 400" in line.getMessage()
