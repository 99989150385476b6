"""Who may change a team: its own leads, nobody else; a team left without a lead can be claimed.

Checkout lives in C1 and is led by U1; U2 is a member of its channel. Search lives in C2 and is
led by U3. Every command that changes a team is tried by U2 (a member, not a lead), by U3 (the
lead of another team) and by U1 (its lead): the first two get a private answer naming Checkout's
lead and change nothing; U1's goes through.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.admin import erasure
from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.core import Team, TeamLead
from storage.okr import KeyResult
from storage.retro import RetroCycle, RetroQuestion
from storage.schedule import ScheduledRun
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.transcripts import ANY, shows

# Each command that changes Checkout, with what its lead is told when it goes through.
CHANGES_A_TEAM = {
    "add a lead": ("/okr team lead @U4", (texts.lead_added, "Checkout", "U4")),
    "add a key result": (
        "/okr kr add Checkout completion reaches 70%",
        (texts.kr_added, "Checkout", "KR1", ANY),
    ),
    "schedule retrospectives": (
        "/retro schedule quarterly",
        (cycle_texts.schedule_set, "Checkout", "quarterly", ANY),
    ),
    "turn the schedule off": ("/retro schedule off", (cycle_texts.SCHEDULE_OFF,)),
    "start a retrospective": ("/retro start", (cycle_texts.retro_starting, "Checkout")),
    "reword a question": (
        "/retro questions set bet What did we gamble on?",
        (cycle_texts.question_updated, "Checkout", "bet"),
    ),
    "reset the questions": ("/retro questions reset", (cycle_texts.questions_reset, "Checkout")),
}
OUTSIDERS = {"a member who is not a lead": "U2", "the lead of another team": "U3"}
REFUSED = texts.only_leads("Checkout", ["U1"])


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[Harness]:
    directory = FakeDirectory(members={"C1": ["U1", "U2"], "C2": ["U3"]})
    harness = await Harness.start(database_url, directory=directory)
    await harness.say("/okr team create Checkout", channel="C1", user="U1")
    await harness.say("/okr team create Search", channel="C2", user="U3")
    await harness.say("/retro schedule 0 10 * * 1", channel="C1", user="U1")
    await harness.say("/retro questions set learned What surprised us?", channel="C1", user="U1")
    yield harness
    await harness.close()


async def team_state(bot: Harness) -> list[Any]:
    """Everything about the teams a command could change, in a comparable form."""
    async with bot.app.sessions() as session:
        teams = await session.scalars(select(Team).order_by(Team.id))
        state: list[Any] = [
            (t.name, t.channel_id, t.retro_schedule, t.retro_schedule_set_at) for t in teams
        ]
        for model, order in (
            (TeamLead, (TeamLead.team_id, TeamLead.user_id)),
            (KeyResult, (KeyResult.id,)),
            (RetroQuestion, (RetroQuestion.id,)),
            (RetroCycle, (RetroCycle.id,)),
            (ScheduledRun, (ScheduledRun.id,)),
        ):
            rows = await session.scalars(select(model).order_by(*order))
            state += [{c.key: getattr(row, c.key) for c in model.__table__.columns} for row in rows]
        return state


@pytest.mark.parametrize("outsider", list(OUTSIDERS))
@pytest.mark.parametrize("command", list(CHANGES_A_TEAM))
async def test_someone_who_does_not_lead_the_team_changes_nothing(
    bot: Harness, command: str, outsider: str
) -> None:
    typed, _ = CHANGES_A_TEAM[command]
    before = await team_state(bot)
    assert await bot.say(typed, channel="C1", user=OUTSIDERS[outsider]) == REFUSED
    assert await team_state(bot) == before


@pytest.mark.parametrize("command", list(CHANGES_A_TEAM))
async def test_the_lead_changes_the_team(bot: Harness, command: str) -> None:
    typed, (render, *arguments) = CHANGES_A_TEAM[command]
    before = await team_state(bot)
    assert shows(await bot.say(typed, channel="C1", user="U1"), render, *arguments)
    assert await team_state(bot) != before


async def test_only_the_lead_closes_the_open_retrospective(bot: Harness) -> None:
    await bot.say("/retro start", channel="C1", user="U1")
    await bot.tick()
    before = await team_state(bot)
    for outsider in ("U2", "U3"):
        assert await bot.say("/retro close", channel="C1", user=outsider) == REFUSED
    assert await team_state(bot) == before
    assert shows(
        await bot.say("/retro close", channel="C1", user="U1"), cycle_texts.retro_closing, ANY
    )
    status = await bot.say("/retro status", channel="C1", user="U2")
    assert shows(status, cycle_texts.retro_status_next, "Checkout", ANY)


async def test_refusals_name_every_lead(bot: Harness) -> None:
    await bot.say("/okr team lead @U5", channel="C1", user="U1")
    answer = await bot.say("/okr kr add Refunds halve", channel="C1", user="U2")
    assert answer == texts.only_leads("Checkout", ["U1", "U5"])


async def test_each_team_asks_its_own_questions(bot: Harness) -> None:
    """Search's lead rewords Search's questions; Checkout's retrospective is not touched."""
    reworded = "/retro questions set bet What did Search bet on?"
    said = await bot.say(reworded, channel="C2", user="U3")
    assert cycle_texts.question_updated("Search", "bet") in said
    checkout = await bot.say("/retro questions", channel="C1", user="U2")
    assert "learned: What surprised us?" in checkout and "Search" not in checkout
    search = await bot.say("/retro questions", channel="C2", user="U3")
    assert "bet: What did Search bet on?" in search and "surprised" not in search
    # In a direct message, a lead of one team rewords that team's questions.
    reset = await bot.say("/retro questions reset", channel="DU3", user="U3", direct=True)
    assert cycle_texts.questions_reset("Search") in reset
    assert "surprised" in await bot.say("/retro questions", channel="C1", user="U1")

    await bot.say("/retro start", channel="C1", user="U1")
    await bot.say(reworded, channel="C2", user="U3")
    await bot.say("/retro start", channel="C2", user="U3")
    await bot.tick()
    async with bot.app.sessions() as session:
        cycles = (await session.scalars(select(RetroCycle).order_by(RetroCycle.team_id))).all()
    asked = [{q["key"]: q["text"] for q in cycle.questions} for cycle in cycles]
    assert asked[0]["learned"] == "What surprised us?"
    assert asked[0]["bet"].startswith("What did we bet on")
    assert asked[1]["bet"] == "What did Search bet on?"
    assert asked[1]["learned"].startswith("What did we learn?")


async def test_a_team_left_without_a_lead_is_claimed_by_someone_in_its_channel(
    bot: Harness,
) -> None:
    claim = await bot.say("/okr team claim", channel="C1", user="U2")
    assert claim == texts.claim_taken("Checkout", ["U1"])
    async with bot.app.sessions() as session, session.begin():
        await erasure.erase_user(session, platform="console", user_id="U1")

    refused = await bot.say("/okr kr add Refunds halve", channel="C1", user="U2")
    assert refused == texts.only_leads("Checkout", [])
    # Claiming happens in the team's own channel: a lead of another team cannot take it from afar.
    afar = await bot.say("/okr team claim", channel="DU3", user="U3", direct=True)
    assert afar == texts.NO_TEAM_HERE
    claim = await bot.say("/okr team claim", channel="C2", user="U2")
    assert claim == texts.claim_taken("Search", ["U3"])

    claim = await bot.say("/okr team claim", channel="C1", user="U2")
    assert claim == texts.team_claimed("Checkout")
    added = await bot.say("/okr kr add Refunds halve", channel="C1", user="U2")
    assert shows(added, texts.kr_added, "Checkout", "KR1", "Refunds halve")
    claim = await bot.say("/okr team claim", channel="C1", user="U3")
    assert claim == texts.claim_taken("Checkout", ["U2"])
