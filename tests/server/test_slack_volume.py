"""A company-sized Slack workspace through the real HTTP edge: the guard for real volume.

One workspace, 100 teams in three timezones, 2,000 people (and the app, another bot, Slackbot
and a deactivated account in every channel), a year of stories: the teams are set up by signed
slash commands, people answer in direct messages, and the scheduler opens, reminds, closes and
digests on each team's own clock while the fake Slack Web API records every call. Then an
export lists every record.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from adapters.slack import listeners
from bot.entry.cli import main
from retrospectives.cycles import texts as cycle_texts
from storage.core import Team, Workspace
from storage.okr import ImpactStory, LearningStory, StoryResult, StorySource
from tests.adapters.slack.slack_people import BOT_USER, SLACKBOT, bot, deactivated
from tests.adapters.slack.slack_people import person as fake_person
from tests.server.rig import SlackRig
from tests.support.rows import count
from tests.support.transcripts import ANY, shows

TEAMS = 100
PEOPLE = 20  # per team, the lead included
ZONES = ("Europe/Berlin", "Europe/London", "America/New_York")
# Q1 2027: the quarterly opening is Monday 22 March at 10:00 in each zone.
OPENINGS = ("2027-03-22T09:00Z", "2027-03-22T10:00Z", "2027-03-22T14:00Z")
REMINDERS = ("2027-03-24T14:00Z", "2027-03-26T14:00Z")
DIGESTS = {  # Monday 09:00 in each zone
    "2027-03-29T08:00Z": {"Europe/Berlin", "Europe/London"},
    "2027-03-29T13:00Z": {"America/New_York"},
}
CLOSE = "2027-03-29T21:00Z"  # 17:00 in New York, the last to close
ANSWERING = 1  # people per team who answer every question


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def channel(team: int) -> str:
    return f"C{team:03d}"


def person(team: int, number: int) -> str:
    return f"U{team:03d}{number:02d}"


def zone(team: int) -> str:
    return ZONES[team % len(ZONES)]


@pytest.fixture
async def workspace(database_url: str) -> AsyncIterator[SlackRig]:
    rig = await SlackRig.start(database_url)
    rig.fake.page_size = 200  # Slack's own page size for conversations.members
    try:
        yield rig
    finally:
        await rig.close()


async def set_up_teams(rig: SlackRig) -> None:
    rig.clock.set(at("2026-03-02T09:00Z"))
    rig.fake.users["UHELPDESK"] = bot("UHELPDESK")
    for team in range(TEAMS):
        lead = person(team, 0)
        people = [person(team, n) for n in range(PEOPLE)]
        # As real channels are: the app itself, another app's bot, Slackbot, someone who left.
        rig.fake.members[channel(team)] = [BOT_USER, *people, "UHELPDESK", SLACKBOT, f"UGONE{team}"]
        rig.fake.users[f"UGONE{team}"] = deactivated(f"UGONE{team}")
        rig.fake.users[lead] = fake_person(lead, zone(team))
        created = await rig.command(
            f"/okr team create Team {team:03d} tz={zone(team)}", user=lead, channel=channel(team)
        )
        scheduled = await rig.command("/retro schedule quarterly", user=lead, channel=channel(team))
        assert (created.status, scheduled.status) == (200, 200)
    await rig.settle()


async def a_year_of_stories(rig: SlackRig) -> int:
    """Insert a year of learning and impact stories, in bulk (as a year of commands left them)."""
    async with rig.server.okrbot.sessions() as session, session.begin():
        workspace_id = await session.scalar(select(Workspace.id))
        teams = (await session.execute(select(Team.id, Team.name))).all()
        start = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
        learning, impact = [], []
        for team_id, name in teams:
            number = int(name.split()[-1])
            for week in range(52):
                moment = start + timedelta(weeks=week, hours=number % 8)
                author = person(number, week % PEOPLE)
                learning.append(
                    {
                        "workspace_id": workspace_id,
                        "team_id": team_id,
                        "author_id": author,
                        "text": f"{name} week {week}: we learned that buyers read reviews first",
                        "learned": "buyers read reviews first",
                        "result": list(StoryResult)[week % 3],
                        "source": StorySource.COMMAND,
                        "awaiting_outcome": False,
                        "created_at": moment,
                    }
                )
                if week % 4 == 0:
                    impact.append(
                        {
                            "workspace_id": workspace_id,
                            "team_id": team_id,
                            "author_id": author,
                            "text": f"{name} week {week}: small shops reset passwords themselves",
                            "who": "small shops",
                            "source": StorySource.COMMAND,
                            "created_at": moment,
                        }
                    )
        await session.execute(insert(LearningStory), learning)
        await session.execute(insert(ImpactStory), impact)
    return len(learning) + len(impact)


def direct_posts(rig: SlackRig, since: int, saying: str) -> Counter[str]:
    """How many direct messages saying ``saying`` each person got since call ``since``."""
    return Counter(
        str(c.arguments["channel"]).removeprefix("D")
        for c in rig.fake.calls[since:]
        if c.method == "chat.postMessage"
        and str(c.arguments["channel"]).startswith("D")
        and saying in c.text()
    )


def channel_posts(rig: SlackRig, since: int) -> list[tuple[str, str]]:
    return [
        (str(c.arguments["channel"]), c.text())
        for c in rig.fake.calls[since:]
        if c.method == "chat.postMessage" and str(c.arguments["channel"]).startswith("C")
    ]


async def tick(rig: SlackRig, moment: str) -> int:
    """Let the scheduler do what is due at ``moment``; return where the calls began."""
    since = len(rig.fake.calls)
    rig.clock.set(at(moment))
    await rig.server.okrbot.tick()
    return since


async def answer_everything(rig: SlackRig, who: str, moment: str) -> None:
    rig.clock.set(at(moment))
    for number in range(1, 6):
        said = await rig.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": f"D{who}",
                "user": who,
                "text": f"{who} answers question {number}: trust beat speed this quarter",
                "ts": f"1774180000.{number:06d}",
            },
            event_id=f"Ev-{who}-{number}",
        )
        assert said.status == 200
    await rig.settle()


# A quarter of 100 teams and 2,000 people over signed HTTP: 35 s before the inbox, 100 to 130 s
# since (events handled after the ack, waited for by the rig); issue 12 follows that up.
@pytest.mark.timeout(400)
async def test_a_quarter_in_a_company_sized_workspace(
    workspace: SlackRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    rig = workspace
    # Each command must be done when its answer comes, as it is within Slack's deadline; on a
    # loaded machine some take longer here, and would be acked first and overtaken by the next.
    monkeypatch.setattr(listeners, "INLINE_DEADLINE", 300.0)
    await set_up_teams(rig)
    stories = await a_year_of_stories(rig)
    everyone = {person(t, n) for t in range(TEAMS) for n in range(PEOPLE)}
    await tick(rig, "2027-03-21T00:00Z")

    # The openings, each zone at its own 10:00: one channel message per team, one prompt each.
    prompted: Counter[str] = Counter()
    opened: list[tuple[str, str]] = []
    for moment in OPENINGS:
        since = await tick(rig, moment)
        prompted.update(direct_posts(rig, since, cycle_texts.question_title(1, 5)))
        opened += [
            (c, text)
            for c, text in channel_posts(rig, since)
            if shows(text, cycle_texts.retro_opened_in_channel, ANY, ANY, ANY, ANY)
        ]
    assert sorted(c for c, _ in opened) == [channel(t) for t in range(TEAMS)]
    assert all(
        shows(text, cycle_texts.retro_opened_in_channel, ANY, ANY, ANY, PEOPLE)
        for _, text in opened
    )
    assert set(prompted) == everyone
    assert set(prompted.values()) == {1}

    answered = {person(t, n) for t in range(TEAMS) for n in range(1, 1 + ANSWERING)}
    for who in sorted(answered):
        await answer_everything(rig, who, "2027-03-23T10:00Z")

    for moment in REMINDERS:
        since = await tick(rig, moment)
        reminded = direct_posts(rig, since, "A gentle reminder")
        assert set(reminded) == everyone - answered
        assert set(reminded.values()) == {1}

    for moment, zones in DIGESTS.items():
        since = await tick(rig, moment)
        digests = direct_posts(rig, since, "weekly learning digest")
        assert set(digests) == {person(t, 0) for t in range(TEAMS) if zone(t) in zones}

    since = await tick(rig, CLOSE)
    summaries = channel_posts(rig, since)
    assert sorted(c for c, _ in summaries) == [channel(t) for t in range(TEAMS)]
    assert all(f"{ANSWERING} of {PEOPLE} people answered" in text for _, text in summaries)

    # Nobody but people was ever written to, and each person's DM was opened once.
    written = {str(c.arguments["channel"]) for c in rig.fake.to("chat.postMessage")}
    assert not written & {f"D{b}" for b in (BOT_USER, "UHELPDESK", SLACKBOT, "UGONE0")}
    opened = Counter(str(c.arguments["users"]) for c in rig.fake.to("conversations.open"))
    assert set(opened) == everyone and set(opened.values()) == {1}

    # Every record of the workspace leaves in the export, once.
    monkeypatch.setenv("OKRBOT_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    exported = tmp_path / "export.jsonl"
    assert await asyncio.to_thread(main, ["export", "--output", str(exported)]) == 0
    kinds = Counter(json.loads(line)["type"] for line in exported.read_text().splitlines())
    learning, impact = await count(rig, LearningStory), await count(rig, ImpactStory)
    assert kinds["team"] == TEAMS
    assert kinds["learning_story"] == learning and kinds["impact_story"] == impact
    assert learning + impact >= stories
    assert kinds["retro_cycle"] == TEAMS
    assert kinds["retro_answer"] == len(answered) * 5
