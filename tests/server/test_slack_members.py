"""A retrospective opening asks the people of a Slack channel, not its bots, over real HTTP."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.runtime import upkeep
from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.core import TeamLead
from tests.adapters.slack.slack_people import (
    BOT_USER,
    SLACKBOT,
    app_user,
    bot,
    deactivated,
)
from tests.server.rig import SlackRig
from tests.support.transcripts import ANY, shows


def prompted(rig: SlackRig) -> list[str]:
    """Whom okrbot opened a direct message with."""
    return sorted(str(c.arguments["users"]) for c in rig.fake.to("conversations.open"))


def channel_says(rig: SlackRig, channel: str) -> str:
    return "\n".join(
        json.dumps(c.arguments)
        for c in rig.fake.to("chat.postMessage")
        if c.arguments["channel"] == channel
    )


async def open_retro(rig: SlackRig, *, lead: str, channel: str) -> None:
    """A lead types /retro start in the team's channel; the scheduler opens it."""
    started = await rig.command("/retro start", user=lead, channel=channel)
    assert shows(started.json()["text"], cycle_texts.retro_starting, ANY)
    await rig.server.okrbot.scheduler.perform_due(rig.clock.now())


async def test_an_opening_prompts_only_the_people(slack: SlackRig) -> None:
    slack.fake.members["C1"] = ["U1", BOT_USER, "UDEPLOY", SLACKBOT, "UGONE", "UAPP", "U2"]
    slack.fake.users = {
        "UDEPLOY": bot("UDEPLOY"),
        "UGONE": deactivated("UGONE"),
        "UAPP": app_user("UAPP"),
    }
    await slack.command("/okr team create Checkout tz=Europe/Berlin")
    await slack.command("/retro start")
    report = await slack.server.okrbot.tick()
    assert report.performed == 1 and report.delivered == 3

    assert prompted(slack) == ["U1", "U2"]
    opening = channel_says(slack, "C1")
    assert shows(opening, cycle_texts.retro_opened_in_channel, "Checkout", ANY, ANY, 2)
    status = await slack.command("/retro status")
    assert shows(status.json()["text"], cycle_texts.retro_status_open, ANY, ANY, 0, 2)
    # The lead's timezone for the digest and the opening came from the same users.list call.
    assert len(slack.fake.to("users.list")) == 1 and slack.fake.looked_up() == []


async def test_a_channel_of_only_bots_has_nobody_to_ask(slack: SlackRig) -> None:
    slack.fake.members["C1"] = [BOT_USER, SLACKBOT, "UDEPLOY"]
    slack.fake.users = {"UDEPLOY": bot("UDEPLOY")}
    await slack.command("/okr team create Checkout")
    await slack.command("/retro start")
    await slack.server.okrbot.tick()

    assert prompted(slack) == ["U1"]  # only to tell the lead, privately
    [told] = slack.fake.to("chat.postMessage")
    assert told.arguments["channel"] == "DU1"
    assert texts.nobody_to_ask("Checkout", to_lead=True) in told.text()
    assert channel_says(slack, "C1") == ""


async def test_a_second_team_costs_only_its_new_people(slack: SlackRig) -> None:
    first = [f"U{n:04d}" for n in range(500)]
    second = first[100:] + [f"U{n:04d}" for n in range(500, 600)]  # 400 shared, 100 new
    slack.fake.page_size = 200
    slack.fake.users_page_size = 200
    slack.fake.members["C1"] = [*first, BOT_USER, "UDEPLOY"]
    slack.fake.users = {"UDEPLOY": bot("UDEPLOY")}
    slack.fake.timezones = {"U0000": "Europe/Berlin", "U0100": "Asia/Kolkata"}
    await slack.command("/okr team create Checkout", user="U0000", channel="C1")
    await slack.command("/okr team create Search", user="U0100", channel="C2")

    await open_retro(slack, lead="U0000", channel="C1")
    # 500 people, the app, another bot and Slackbot, 200 a page: three calls, none per person.
    assert len(slack.fake.to("users.list")) == 3 and slack.fake.looked_up() == []
    slack.fake.members["C2"] = [*second, BOT_USER, "UDEPLOY"]  # 100 joined since the listing
    await open_retro(slack, lead="U0100", channel="C2")
    assert len(slack.fake.to("users.list")) == 3
    assert sorted(slack.fake.looked_up()) == [f"U{n:04d}" for n in range(500, 600)]

    for lead, channel in (("U0000", "C1"), ("U0100", "C2")):
        status = await slack.command("/retro status", user=lead, channel=channel)
        assert "0 of 500 people have answered" in status.json()["text"]
    # The leads' timezones, for their digests, cost no call either.
    okrbot = slack.server.okrbot
    await upkeep.learn_lead_timezones(okrbot.sessions, okrbot.directories)
    assert len(slack.fake.looked_up()) == 100 and len(slack.fake.to("users.list")) == 3
    async with slack.server.okrbot.sessions() as session:
        leads = await session.scalars(select(TeamLead).order_by(TeamLead.user_id))
        assert [(lead.user_id, lead.timezone) for lead in leads] == [
            ("U0000", "Europe/Berlin"),
            ("U0100", "Asia/Kolkata"),
        ]


async def test_someone_slack_cannot_tell_about_is_still_asked(slack: SlackRig) -> None:
    slack.fake.members["C1"] = ["U1", "U2", "U3"]
    slack.fake.unknown_users = {"U2"}
    await slack.command("/okr team create Checkout")
    await slack.command("/retro start")
    await slack.server.okrbot.tick()

    assert prompted(slack) == ["U1", "U2", "U3"]
    opening = channel_says(slack, "C1")
    assert shows(opening, cycle_texts.retro_opened_in_channel, "Checkout", ANY, ANY, 3)
