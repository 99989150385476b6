"""A digest too long for one message reaches the lead whole, over several, in order, once each."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from adapters.slack import blocks
from tests.adapters.teams.fake_connector import MAX_ACTIVITY_BYTES
from tests.server.rig import SlackRig
from tests.server.teams_rig import TeamsRig
from tests.server.test_teams_scenario import ADA_CHAT
from tests.support.times import NEXT_MONDAY

FILLER = "guests who could skip the sign-up finished the checkout more often " * 40
STORY = re.compile(r"story-\d+-\d+")


def story(team: int, number: int) -> str:
    return f"story-{team}-{number} {FILLER}".strip()


def section_texts(call_blocks: list[dict[str, Any]]) -> str:
    return "".join(b["text"]["text"] for b in call_blocks if b["type"] == "section" and "text" in b)


async def test_a_long_slack_digest_arrives_whole_over_several_messages(slack: SlackRig) -> None:
    slack.clock.advance(timedelta(hours=1))  # stories told during the week
    told = []
    for team in range(6):
        channel = f"C{team + 1}"
        created = await slack.command(f"/okr team create Team{team}", channel=channel)
        assert created.status == 200, created.body
        for number in range(18):
            saved = await slack.command(f"/story learning {story(team, number)}", channel=channel)
            assert saved.status == 200, saved.body
            told.append(f"story-{team}-{number}")
    await slack.deliver()
    slack.fake.calls.clear()
    slack.fake.rate_limited_post = 2  # Slack is busy when the second part goes out

    slack.clock.set(NEXT_MONDAY)
    await slack.server.okrbot.tick()
    posts = slack.fake.to("chat.postMessage")
    assert len(posts) == 1  # the second part waits, and so does every part after it
    slack.clock.advance(timedelta(seconds=slack.fake.retry_after))
    await slack.deliver()

    posts = slack.fake.to("chat.postMessage")
    assert len(posts) >= 3
    assert all(p.arguments["channel"] == "DU1" for p in posts)
    for number, post in enumerate(posts, 1):
        assert post.arguments["text"].endswith(f"({number}/{len(posts)})")
        assert len(post.arguments["blocks"]) <= blocks.MAX_MESSAGE_BLOCKS
        for block in post.arguments["blocks"]:
            assert block["type"] != "context"  # no "…and N more"
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= blocks.MAX_SECTION_TEXT
    shown = "".join(section_texts(p.arguments["blocks"]) for p in posts)
    assert STORY.findall(shown) == told  # each story once, in order
    assert shown.count(FILLER.strip()) == len(told)  # and whole


async def test_a_long_teams_digest_arrives_whole_over_several_messages(teams: TeamsRig) -> None:
    teams.clock.advance(timedelta(hours=1))  # stories told during the week
    created = await teams.post(teams.in_channel("okr team create Checkout"))
    assert created.status == 200, created.body
    told = []
    for number in range(20):
        text = story(0, number)
        saved = await teams.post(teams.in_personal_chat(f"story learning team: Checkout | {text}"))
        assert saved.status == 200, saved.body
        told.append(f"story-0-{number}")
    await teams.post(teams.in_personal_chat("hello", who="ada"))  # Ada's timezone: London
    teams.fake.calls.clear()
    teams.fake.throttled_post = 2

    teams.clock.set(NEXT_MONDAY)
    await teams.server.okrbot.tick()
    assert len(teams.fake.to(ADA_CHAT)) == 1
    teams.clock.advance(timedelta(seconds=teams.fake.retry_after))
    await teams.deliver()

    posts = teams.fake.to(ADA_CHAT)
    assert len(posts) >= 3
    shown = ""
    for number, post in enumerate(posts, 1):
        assert len(post.text().encode("utf-16-le")) <= MAX_ACTIVITY_BYTES
        assert post.body["summary"].endswith(f"({number}/{len(posts)})")
        card = post.body["attachments"][0]["content"]
        shown += "".join(e["text"] for e in card["body"] if e["type"] == "TextBlock")
    assert STORY.findall(shown) == told
    assert shown.count(FILLER.strip()) == len(told)
