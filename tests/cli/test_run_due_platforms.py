"""`okrbot run-due --now` alone runs a Slack and a Teams team's quarter, as a cron job would.

The teams are set up and answered through the real HTTP edge (signed Slack requests, Teams
activities); everything scheduled — the opening, the reminders, the Monday digest, the close —
is done by `okrbot run-due` alone, against the fake Slack Web API and the fake Bot Connector: the
opening by a process of its own, started as a cron job starts it, the rest by the same entry
point run in a thread (a process each would only add a second of imports to every step).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime

import pytest

from bot.entry.cli import main
from retrospectives.cycles import texts as cycle_texts
from tests.adapters.slack.fake_slack import ApiCall
from tests.server.rig import TOKEN, SlackRig
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, personal_chat
from tests.support.transcripts import ANY, shows

# Checkout in Berlin, Q1 2027: the quarterly opening is Monday 22 March at 10:00 (CET), the
# reminders Wednesday and Friday at 10:00, the close Monday 29 March at 17:00 (CEST by then).
BEFORE = "2027-03-21T00:00Z"
OPENS = "2027-03-22T09:00Z"
FIRST_REMINDER = "2027-03-24T09:00Z"
SECOND_REMINDER = "2027-03-26T09:00Z"
MONDAY_DIGEST = "2027-03-29T07:00Z"  # 09:00 in Berlin, summer time since Sunday
CLOSES = "2027-03-29T15:00Z"
Q1 = "Q1 2027 retrospective"


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


async def run_due_process(now: str, **environment: str) -> str:
    """Run `okrbot run-due --now NOW` as its own process; return what it told the operator."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run-due",
        "--now",
        now,
        env={**os.environ, **environment},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode() + err.decode()


async def run_due(now: str, monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    """Run `okrbot run-due --now NOW` through its entry point, in a thread with its own loop."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(os.path.dirname(__file__))  # no .env file here
    assert await asyncio.to_thread(main, ["run-due", "--now", now]) == 0


def posted(calls: list[ApiCall]) -> list[tuple[str, str]]:
    """(channel, what it said) for each chat.postMessage."""
    return [
        (str(c.arguments["channel"]), c.text()) for c in calls if c.method == "chat.postMessage"
    ]


async def test_a_slack_quarter_under_run_due_alone(
    slack: SlackRig, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.fake.members["C1"] = ["U1", "U2", "U3"]
    slack.fake.timezones["U1"] = "Europe/Berlin"
    await slack.command("/okr team create Checkout tz=Europe/Berlin")
    await slack.command("/retro schedule quarterly")
    await slack.settle()
    cron = {
        "OKRBOT_DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.fake.api_url,
    }

    async def tick(now: str) -> list[tuple[str, str]]:
        before = len(slack.fake.calls)
        await run_due(now, monkeypatch, **cron)
        return posted(slack.fake.calls[before:])

    assert await tick(BEFORE) == []

    report = await run_due_process(OPENS, **cron)
    assert f"At {at(OPENS).isoformat()}: planned 2, performed 2" in report
    opening = posted(slack.fake.calls)
    said = dict(opening)
    assert shows(said["C1"], cycle_texts.retro_opened_in_channel, "Checkout", Q1, ANY, 3)
    assert all(cycle_texts.question_title(1, 5) in said[f"D{person}"] for person in ("U2", "U3"))
    prompts = [c for c, text in opening if cycle_texts.question_title(1, 5) in text]
    assert sorted(prompts) == ["DU1", "DU2", "DU3"]
    assert any("weekly learning digest" in text for c, text in opening if c == "DU1")
    assert await tick(OPENS) == []  # the same instant again sends nothing

    slack.clock.set(at("2027-03-22T11:00Z"))
    for number in range(1, 6):
        said_by_u2 = await slack.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "DU2",
                "user": "U2",
                "text": f"Answer {number}: we learned that trust beats speed",
                "ts": f"1774170000.00010{number}",
            },
            event_id=f"Ev-answer-{number}",
        )
        assert said_by_u2.status == 200
    await slack.settle()

    reminded = await tick(FIRST_REMINDER)
    assert sorted(c for c, _ in reminded) == ["DU1", "DU3"]  # U2 has finished
    assert all(shows(text, cycle_texts.reminder, "Checkout", Q1, ANY) for _, text in reminded)
    assert sorted(c for c, _ in await tick(SECOND_REMINDER)) == ["DU1", "DU3"]

    digest = await tick(MONDAY_DIGEST)
    assert [c for c, _ in digest] == ["DU1"]
    assert "weekly learning digest" in digest[0][1]

    closing = await tick(CLOSES)
    [(channel, summary)] = closing
    assert channel == "C1"
    assert "Checkout's Q1 2027 retrospective has closed. 1 of 3 people answered" in summary
    assert "trust beats speed" in summary
    assert await tick(CLOSES) == []
    assert all(c.token == TOKEN for c in slack.fake.calls if c.method == "chat.postMessage")


async def test_a_teams_quarter_under_run_due_alone(
    teams: TeamsRig, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    teams.fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    await teams.post(teams.in_channel("okr team create Checkout tz=Europe/Berlin", who="ada"))
    await teams.post(teams.in_channel("retro schedule quarterly", who="ada"))
    await teams.post(teams.in_personal_chat("okr help", who="grace"))
    cron = {"OKRBOT_DATABASE_URL": database_url, "OKRBOT_TEAMS_EMULATOR": "1"}

    async def tick(now: str) -> list[tuple[str, str]]:
        before = len(teams.fake.calls)
        await run_due(now, monkeypatch, **cron)
        return [
            (c.conversation_id, json.dumps(c.body))
            for c in teams.fake.calls[before:]
            if c.method in ("post", "reply")
        ]

    assert await tick(BEFORE) == []
    opening = await tick(OPENS)
    channel_posts = [text for c, text in opening if c.startswith(CHANNEL)]
    assert len(channel_posts) == 1
    assert shows(channel_posts[0], cycle_texts.retro_opened_in_channel, "Checkout", Q1, ANY, 2)
    prompted = {c for c, text in opening if cycle_texts.question_title(1, 5) in text}
    assert personal_chat("grace") in prompted and len(prompted) == 2
    assert await tick(OPENS) == []

    reminded = await tick(FIRST_REMINDER)
    assert (
        len([c for c, text in reminded if shows(text, cycle_texts.reminder, "Checkout", Q1, ANY)])
        == 2
    )
    closing = await tick(CLOSES)
    summaries = [text for c, text in closing if c.startswith(CHANNEL)]
    assert len(summaries) == 1
    assert cycle_texts.summary_heading("Checkout", Q1, 0, 2) in summaries[0]
    assert await tick(CLOSES) == []
