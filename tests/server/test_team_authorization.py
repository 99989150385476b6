"""Only a team's own leads change it, over the real Slack and Teams edges.

Checkout is led by the person who created it; a member of its channel and the lead of another
team are refused privately, told who can do it, and nothing changes; the lead goes through.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.core import Team
from storage.okr import KeyResult
from storage.retro import RetroQuestion
from storage.schedule import ScheduledRun
from tests.server.rig import SlackRig
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, aad
from tests.support.transcripts import ANY, shows

SEARCH_CHANNEL = "19:search-channel@thread.tacv2"
# U2 is in Checkout's channel; U3 leads Search. Neither leads Checkout.
OUTSIDERS = {"a member": "U2", "another team's lead": "U3"}
SLACK_CHANGES = (
    "/okr kr add Checkout completion reaches 70%",
    "/okr team lead <@U4|dee>",
    "/retro schedule quarterly",
    "/retro start",
    "/retro questions set bet What did we gamble on?",
    "/retro questions reset",
)
TEAMS_CHANGES = ("okr kr add Completion reaches 70%", "retro start", "retro questions reset")


async def state(okrbot: Any) -> list[Any]:
    """The rows a refused command must leave as they were."""
    async with okrbot.sessions() as session:
        found: list[Any] = []
        for team in await session.scalars(select(Team).order_by(Team.id)):
            found.append((team.name, team.retro_schedule, sorted(x.user_id for x in team.leads)))
        for model in (KeyResult, RetroQuestion, ScheduledRun):
            found += [(model.__name__, row.id) for row in await session.scalars(select(model))]
        return found


async def two_teams_on_slack(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout", user="U1", channel="C1")
    await slack.command("/okr team create Search", user="U3", channel="C2")


@pytest.mark.parametrize("outsider", list(OUTSIDERS))
@pytest.mark.parametrize("line", SLACK_CHANGES)
async def test_slack_members_and_other_leads_are_refused_privately(
    slack: SlackRig, line: str, outsider: str
) -> None:
    await two_teams_on_slack(slack)
    before = await state(slack.server.okrbot)

    answer = await slack.command(line, user=OUTSIDERS[outsider], channel="C1")
    assert answer.status == 200
    assert answer.json()["text"] == texts.only_leads("Checkout", ["U1"])
    assert answer.json().get("response_type", "ephemeral") == "ephemeral"
    await slack.settle()
    assert await state(slack.server.okrbot) == before
    assert slack.fake.to("chat.postMessage") == []  # nothing went to the channel either


async def test_slack_leads_change_their_own_team(slack: SlackRig) -> None:
    await two_teams_on_slack(slack)
    added = await slack.command("/okr kr add Checkout completion reaches 70%", user="U1")
    assert shows(added.json()["text"], texts.kr_added, "Checkout", "KR1", ANY)
    reworded = await slack.command("/retro questions set bet What did we gamble on?", user="U1")
    assert cycle_texts.question_updated("Checkout", "bet") in reworded.json()["text"]
    # Search's lead rewords Search's own questions, in Search's channel; Checkout's stay.
    search = await slack.command("/retro questions set bet Search's bet?", user="U3", channel="C2")
    assert cycle_texts.question_updated("Search", "bet") in search.json()["text"]
    listed = await slack.command("/retro questions", user="U2", channel="C1")
    assert "bet: What did we gamble on?" in listed.json()["text"]


def in_search_channel(rig: TeamsRig, text: str, *, who: str) -> dict[str, Any]:
    """A message in a second Teams channel, home of the team Search."""
    payload = copy.deepcopy(rig.in_channel(text, who=who))
    message_id = payload["conversation"]["id"].split("=", 1)[1]
    payload["conversation"]["id"] = f"{SEARCH_CHANNEL};messageid={message_id}"
    if isinstance(payload.get("channelData", {}).get("channel"), dict):
        payload["channelData"]["channel"]["id"] = SEARCH_CHANNEL
    return payload


def said_since(rig: TeamsRig, count: int) -> str:
    return "\n".join(call.text() for call in rig.fake.calls[count:])


async def two_teams_on_teams(teams: TeamsRig) -> None:
    teams.fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    await teams.post(teams.in_channel("okr team create Checkout", who="ada"))
    await teams.post(in_search_channel(teams, "okr team create Search", who="grace"))


@pytest.mark.parametrize("line", TEAMS_CHANGES)
async def test_teams_members_and_other_leads_are_refused_privately(
    teams: TeamsRig, line: str
) -> None:
    await two_teams_on_teams(teams)
    before = await state(teams.server.okrbot)

    # Grace is in Checkout's channel and leads Search: neither makes her a lead of Checkout.
    calls = len(teams.fake.calls)
    answer = await teams.post(teams.in_channel(line, who="grace"))
    assert answer.status == 200
    replies = [c for c in teams.fake.calls[calls:] if c.method in ("post", "reply")]
    assert replies and all(not c.conversation_id.startswith(CHANNEL) for c in replies)
    assert texts.only_leads("Checkout", [aad("ada")]) in said_since(teams, calls)
    assert await state(teams.server.okrbot) == before


async def test_teams_leads_change_their_own_team(teams: TeamsRig) -> None:
    await two_teams_on_teams(teams)
    calls = len(teams.fake.calls)
    await teams.post(teams.in_channel("okr kr add Completion reaches 70%", who="ada"))
    assert shows(said_since(teams, calls), texts.kr_added, "Checkout", "KR1", ANY)
