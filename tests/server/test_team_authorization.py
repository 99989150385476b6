"""Only a team's own leads change it, over the real Slack and Teams edges.

Checkout is led by the person who created it; a member of its channel and the lead of another
team are refused privately, told who can do it, and nothing changes; the lead goes through.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from storage.core import Team
from storage.okr import KeyResult
from storage.retro import RetroQuestion
from storage.schedule import ScheduledRun
from tests.server.rig import SlackRig
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, aad

ONLY_U1 = "Only a lead of Checkout can do that. Ask its lead, U1."
SEARCH_CHANNEL = "19:search-channel@thread.tacv2"


async def state(okrbot: Any) -> list[Any]:
    """The rows a refused command must leave as they were."""
    async with okrbot.sessions() as session:
        found: list[Any] = []
        for team in await session.scalars(select(Team).order_by(Team.id)):
            found.append((team.name, team.retro_schedule, sorted(x.user_id for x in team.leads)))
        for model in (KeyResult, RetroQuestion, ScheduledRun):
            found += [(model.__name__, row.id) for row in await session.scalars(select(model))]
        return found


async def test_slack_members_and_other_leads_are_refused_privately(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout", user="U1", channel="C1")
    await slack.command("/okr team create Search", user="U3", channel="C2")
    before = await state(slack.server.okrbot)

    for outsider in ("U2", "U3"):
        for line in (
            "/okr kr add Checkout completion reaches 70%",
            "/okr team lead <@U4|dee>",
            "/retro schedule quarterly",
            "/retro start",
            "/retro questions set bet What did we gamble on?",
            "/retro questions reset",
        ):
            answer = await slack.command(line, user=outsider, channel="C1")
            assert answer.status == 200
            assert answer.json()["text"] == ONLY_U1, line
            assert answer.json().get("response_type", "ephemeral") == "ephemeral"
    await slack.settle()
    assert await state(slack.server.okrbot) == before
    assert slack.fake.to("chat.postMessage") == []  # nothing went to the channel either

    added = await slack.command("/okr kr add Checkout completion reaches 70%", user="U1")
    assert "Recorded KR1 for Checkout" in added.json()["text"]
    reworded = await slack.command("/retro questions set bet What did we gamble on?", user="U1")
    assert "Checkout's bet question now reads" in reworded.json()["text"]
    # Search's lead rewords Search's own questions, in Search's channel; Checkout's stay.
    search = await slack.command("/retro questions set bet Search's bet?", user="U3", channel="C2")
    assert "Search's bet question" in search.json()["text"]
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


async def test_teams_members_and_other_leads_are_refused_privately(teams: TeamsRig) -> None:
    teams.fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    await teams.post(teams.in_channel("okr team create Checkout", who="ada"))
    await teams.post(in_search_channel(teams, "okr team create Search", who="grace"))
    before = await state(teams.server.okrbot)
    refused = f"Only a lead of Checkout can do that. Ask its lead, {aad('ada')}."

    # Grace is in Checkout's channel and leads Search: neither makes her a lead of Checkout.
    for line in ("okr kr add Completion reaches 70%", "retro start", "retro questions reset"):
        calls = len(teams.fake.calls)
        answer = await teams.post(teams.in_channel(line, who="grace"))
        assert answer.status == 200
        replies = [c for c in teams.fake.calls[calls:] if c.method in ("post", "reply")]
        assert replies and all(not c.conversation_id.startswith(CHANNEL) for c in replies)
        assert refused in said_since(teams, calls), line
    assert await state(teams.server.okrbot) == before

    calls = len(teams.fake.calls)
    await teams.post(teams.in_channel("okr kr add Completion reaches 70%", who="ada"))
    assert "Recorded KR1 for Checkout" in said_since(teams, calls)
