"""Opening retrospectives for many teams at once, seen from the fake Slack Web API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from retrospectives.cycles.jobs import START_JOB, start_subject
from storage import schedule
from storage.core import Team, TeamLead, Workspace
from tests.adapters.slack.fake_slack import ApiCall
from tests.adapters.slack.slack_people import BOT_USER, bot, deactivated
from tests.server.rig import SlackRig
from tests.support.bulk import insert_rows

TEAMS = {
    "C1": ("Checkout", ["U1", "U11", "U12"]),
    "C2": ("Payments", ["U2", "U21"]),
    "C3": ("Search", ["U3", "U31"]),
}


async def start_retrospectives(slack: SlackRig, teams: dict[str, tuple[str, list[str]]]) -> None:
    for channel, (name, people) in teams.items():
        slack.fake.members[channel] = people
        lead = people[0]
        await slack.command(f"/okr team create {name} tz=Europe/Berlin", channel=channel, user=lead)
        assert (await slack.command("/retro start", channel=channel, user=lead)).status == 200
    await slack.settle()


@contextlib.asynccontextmanager
async def outbox_loop(slack: SlackRig) -> AsyncIterator[None]:
    """The outbox loop alone, with an interval so long that only a wake makes it deliver."""
    loop, _ = slack.server.okrbot.loops(interval=3600)
    running = asyncio.ensure_future(loop.run())
    try:
        yield
    finally:
        loop.stop()  # after the delivery under way: a cancelled one can leave a write hanging
        await asyncio.wait_for(running, 30)


async def until(condition: Any, within: float = 20.0) -> None:
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("it never happened")


def posted(slack: SlackRig) -> set[str]:
    return {str(c.arguments["channel"]) for c in slack.fake.to("chat.postMessage")}


def first(calls: list[ApiCall], method: str, channel: str) -> int:
    return next(
        i for i, c in enumerate(calls) if c.method == method and c.arguments["channel"] == channel
    )


async def test_the_first_teams_prompts_leave_before_the_last_team_opens(slack: SlackRig) -> None:
    await start_retrospectives(slack, TEAMS)
    checkout = ["C1", *(f"D{person}" for person in TEAMS["C1"][1])]

    async def members_of_search_wait(method: str, arguments: dict[str, Any]) -> None:
        """Slack is slow to list Search's channel: long enough for Checkout's prompts to go."""
        if method == "conversations.members" and arguments.get("channel") == "C3":
            with contextlib.suppress(AssertionError):
                await until(lambda: set(checkout) <= posted(slack), within=3.0)

    slack.fake.hold = members_of_search_wait
    async with outbox_loop(slack):
        performed, _ = await slack.server.okrbot.scheduler.perform_due(slack.clock.now())
        assert performed == 3
        everyone = 3 + sum(len(people) for _, people in TEAMS.values())
        await until(lambda: len(slack.fake.to("chat.postMessage")) == everyone)
    calls = slack.fake.calls
    search_listed = first(calls, "conversations.members", "C3")
    # Checkout's announcement and every prompt reached Slack before Search's opening began.
    assert all(first(calls, "chat.postMessage", channel) < search_listed for channel in checkout)


async def test_a_person_in_several_teams_has_their_conversation_opened_once(
    slack: SlackRig,
) -> None:
    shared = ["U1", "U2", "U7", "U8"]
    await start_retrospectives(
        slack, {"C1": ("Checkout", shared), "C2": ("Payments", [*reversed(shared), "U9"])}
    )
    report = await slack.server.okrbot.tick()
    assert report.performed == 2
    prompts = [c for c in slack.fake.to("chat.postMessage") if c.arguments["channel"][0] == "D"]
    assert sorted(c.arguments["channel"] for c in prompts) == sorted(
        [*(f"D{p}" for p in shared * 2), "DU9"]
    )
    opened = [c.arguments["users"] for c in slack.fake.to("conversations.open")]
    assert sorted(opened) == sorted([*shared, "U9"])  # once per person, not once per prompt


async def company(slack: SlackRig, teams: int, people: int) -> None:
    """``teams`` teams of ``people`` each (the app, a bot and a deactivated account in every
    channel too), written straight to the database, each team's opening due now."""
    now = slack.clock.now()
    async with slack.server.okrbot.engine.begin() as connection:
        [workspace] = await insert_rows(
            connection,
            Workspace,
            iter([{"platform": "slack", "external_id": "T1", "created_at": now}]),
        )
        ids = await insert_rows(
            connection,
            Team,
            (
                {
                    "workspace_id": workspace,
                    "name": f"Team {t}",
                    "name_key": f"team {t}",
                    "channel_id": f"C{t:04d}",
                    "timezone": "Europe/Berlin",
                    "created_by": f"U{t:04d}0",
                    "created_at": now,
                }
                for t in range(teams)
            ),
        )
        await insert_rows(
            connection,
            TeamLead,
            ({"team_id": i, "user_id": f"U{t:04d}0", "added_at": now} for t, i in enumerate(ids)),
            returning=False,
        )
    for t in range(teams):
        slack.fake.members[f"C{t:04d}"] = [
            *(f"U{t:04d}{n}" for n in range(people)),
            BOT_USER,
            "UDEPLOY",
            "UGONE",
        ]
    slack.fake.users = {"UDEPLOY": bot("UDEPLOY"), "UGONE": deactivated("UGONE")}
    async with slack.sessions() as session, session.begin():
        for t, team_id in enumerate(ids):
            await schedule.plan(
                session,
                workspace_id=workspace,
                job=START_JOB,
                subject=start_subject(team_id, f"U{t:04d}0"),
                due_at=now,
                now=now,
            )


@pytest.mark.timeout(300)  # 360 messages through the real HTTP client, on a loaded machine
async def test_a_company_is_learnt_in_a_few_listings_and_no_look_up_per_person(
    slack: SlackRig,
) -> None:
    await company(slack, teams=40, people=8)
    slack.fake.users_page_size = 100  # 320 people, the app, a bot, Slackbot, a deactivated

    report = await slack.server.okrbot.tick()

    assert report.performed == 40
    assert len(slack.fake.to("users.list")) == 4
    assert slack.fake.looked_up() == []
    prompted = {c.arguments["channel"] for c in slack.fake.to("chat.postMessage")}
    people = {f"DU{t:04d}{n}" for t in range(40) for n in range(8)}
    assert prompted - people == {f"C{t:04d}" for t in range(40)}  # and nobody else
    assert people <= prompted
