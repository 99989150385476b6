"""A team's first week in Microsoft Teams, over real HTTP against a fake Bot Connector."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.okr import LearningStory
from storage.recognition import ShoutOut
from storage.retro import RetroAnswer
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, aad, personal_chat
from tests.support.rows import count
from tests.support.transcripts import ANY, shows

ADA_CHAT = "a:1chat-with-29:1ada-account"  # the 1:1 chat the fake opens for Ada


async def answers(rig: TeamsRig) -> list[tuple[str, str, str | None]]:
    async with rig.server.okrbot.sessions() as session:
        rows = await session.scalars(select(RetroAnswer).order_by(RetroAnswer.id))
        return [(a.question_key, a.text, a.author_id) for a in rows]


async def test_from_team_creation_to_the_leads_digest(teams: TeamsRig) -> None:
    fake = teams.fake
    fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    fake.page_size = 1  # members come one page at a time

    # Ada @mentions the bot in the Checkout channel; the answer is only for her: a 1:1 chat.
    created = await teams.post(teams.in_channel("okr team create Checkout"))
    assert created.status == 200, created.body
    [opened] = fake.created()
    assert opened.body["members"] == [{"id": "29:1ada-account"}]
    assert opened.body["bot"]["id"] == "28:okrbot-app-id"
    [welcome] = fake.to(ADA_CHAT)
    assert shows(welcome.text(), texts.team_created, "Checkout", ANY)

    # Grace tells a story in her personal chat, without the slash.
    told = await teams.post(
        teams.in_personal_chat(
            "story learning team: Checkout | hypothesis: guests abandon at sign-up | "
            "learned: a guest checkout halves drop-off | result: validated"
        )
    )
    assert told.status == 200, told.body
    assert await count(teams, LearningStory) == 1
    [saved] = fake.to(personal_chat("grace"))
    assert saved.method == "reply"  # threaded on her message, in her chat

    # Ada asks for the card in the channel: it comes to her 1:1 chat, and counts for Checkout.
    await teams.post(teams.in_channel("story learning"))
    card = fake.to(ADA_CHAT)[-1].body["attachments"][0]["content"]
    [submit] = [a for a in card["actions"] if "okrbot_form" in a["data"]]
    assert submit["data"]["okrbot_channel"] == CHANNEL
    inputs = {e["id"] for e in card["body"] if e["type"].startswith("Input.")}
    assert {"hypothesis", "learned"} <= inputs
    submitted = await teams.post(
        teams.in_personal_chat(
            "",
            who="ada",
            value={
                **submit["data"],
                "hypothesis": "Reviews build trust",
                "learned": "Buyers read reviews before the price",
            },
        )
    )
    assert submitted.status == 200
    assert await count(teams, LearningStory) == 2

    # A shout-out to the team, by name.
    shouted = await teams.post(
        teams.in_personal_chat("shoutout Checkout for running a clean experiment on reviews")
    )
    assert shouted.status == 200
    assert await count(teams, ShoutOut) == 1

    # Ada opens a retrospective; the scheduler asks each member privately, 1:1.
    started = await teams.post(teams.in_channel("/retro start"))
    assert started.status == 200
    fake.calls.clear()
    report = await teams.server.okrbot.tick()
    assert report.performed == 1 and report.delivered >= 3
    assert [c.conversation_id for c in fake.calls if c.method == "members"] == [CHANNEL, CHANNEL]
    [prompt_grace] = fake.to(personal_chat("grace"))
    [prompt_ada] = fake.to(ADA_CHAT)
    first = cycle_texts.question_title(1, 5)
    assert first in prompt_grace.text() and first in prompt_ada.text()
    assert prompt_grace.method == "post"  # proactive: a new message, not a reply
    assert any("retrospective" in c.text() for c in fake.to(CHANNEL))

    # Grace answers in her personal chat.
    said = await teams.post(teams.in_personal_chat("We bet on guest checkout"))
    assert said.status == 200
    assert await answers(teams) == [("bet", "We bet on guest checkout", aad("grace"))]
    assert cycle_texts.question_title(2, 5) in fake.to(personal_chat("grace"))[-1].text()

    # The next Monday, 09:00 in London (Ada's timezone, seen on her activity): her digest.
    fake.calls.clear()
    teams.clock.set(datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    await teams.server.okrbot.tick()
    digests = [c for c in fake.to(ADA_CHAT) if "digest" in c.text()]
    assert digests, fake.all_text()
    assert "Reviews build trust" in digests[0].text() or "guest checkout" in digests[0].text()
