"""Teams activities through the inbox, over real HTTP with real tokens, on both databases and
both hosts.

A message, a reaction or people joining is kept once its Bot Framework token checks out and
acked at once; the inbox's worker handles it later, once however often Teams sends it, in order
within its conversation, and its replies reach the Bot Connector carrying the bot's own token.
An invoke is still answered in its request. The worker's loop is not running here: the tests
hand the kept activities to it when they choose, to see what an ack alone has done.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.runtime.inbox import ATTEMPTS
from storage.inbox import InboxEvent, InboxState
from storage.okr import LearningStory
from tests.server.teams_identity import IdentityDouble
from tests.server.teams_rig import TeamsRig, personal_chat
from tests.support.poison import cure, make_poison, okrbot
from tests.support.rows import count, rows

STORY = "story learning team: Checkout | hypothesis: reviews matter | learned: {}"


@pytest.fixture
async def rig(database_url: str, double: IdentityDouble, teams_sdk: str) -> AsyncIterator[TeamsRig]:
    """Teams with a bot identity, a team Checkout made; kept activities wait until settled."""
    settings = double.settings()
    async with await TeamsRig.start(
        database_url, teams_emulator=False, teams_sdk=teams_sdk, **settings
    ) as started:
        create = started.in_channel("okr team create Checkout")
        assert (await send(started, double, create)) == 200
        started.handles_events = False
        started.fake.calls.clear()
        yield started


async def send(rig: TeamsRig, double: IdentityDouble, activity: dict[str, Any]) -> int:
    """Post an activity as the Bot Connector does, with a token for its serviceUrl."""
    token = double.token(rig.fake.service_url)
    return (await rig.post(activity, {"Authorization": f"Bearer {token}"})).status


async def stories(rig: TeamsRig) -> list[str]:
    return [story.text for story in await rows(rig, LearningStory)]


async def test_a_story_is_acked_before_it_is_handled_and_lands_once(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    story = rig.in_personal_chat(STORY.format("acked first"))
    assert await send(rig, double, story) == 200
    assert await send(rig, double, story) == 200  # the Bot Connector thought it was lost
    assert await count(rig, InboxEvent) == 1  # acked: kept once, not handled yet
    assert await stories(rig) == []
    assert rig.fake.posted() == []

    await rig.settle()
    [stored] = await stories(rig)
    assert "acked first" in stored
    assert await count(rig, InboxEvent) == 0
    [reply] = rig.fake.to(personal_chat("grace"))
    assert reply.method == "reply" and reply.reply_to == story["id"]  # threaded on her message
    assert double.issued and reply.authorization == f"Bearer {double.issued[-1]}"

    assert await send(rig, double, story) == 200  # once more, after it was handled
    await rig.settle()
    assert len(await stories(rig)) == 1
    assert len(rig.fake.posted()) == 1  # nothing said twice either


async def test_each_conversation_is_handled_and_answered_in_order(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    people = [
        {"id": f"29:1person-{n}", "name": f"Person {n}", "aadObjectId": f"aad-person-{n}"}
        for n in range(4)
    ]
    sent: dict[str, list[str]] = {}
    for step in range(5):  # the conversations' messages interleaved, each one's in order
        for number, person in enumerate(people):
            chat = f"a:1personal-person-{number}"
            conversation = {"conversationType": "personal", "tenantId": "tenant-0001", "id": chat}
            text = STORY.format(f"person {number} step {step}")
            activity = rig.in_personal_chat(text, conversation=conversation, **{"from": person})
            assert await send(rig, double, activity) == 200
            sent.setdefault(chat, []).append(activity["id"])
    assert await count(rig, InboxEvent) == 20

    await rig.settle()
    kept = await stories(rig)
    assert len(kept) == 20
    for number in range(4):
        said = f"person {number} step "
        assert [t.split(said)[1][0] for t in kept if said in t] == ["0", "1", "2", "3", "4"]
    for chat, ids in sent.items():
        assert [call.reply_to for call in rig.fake.to(chat)] == ids  # each answered, in order
    assert await count(rig, InboxEvent) == 0


async def test_a_reaction_and_people_joining_are_kept_too(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    joined = rig.activity("members_added", id="f:members-added-inbox")
    reaction = rig.activity("reaction", id="f:reaction-inbox")
    assert await send(rig, double, joined) == 200
    assert await send(rig, double, reaction) == 200
    assert await count(rig, InboxEvent) == 2
    await rig.settle()
    assert await count(rig, InboxEvent) == 0


async def test_a_card_action_is_still_answered_in_its_request(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    invoke = rig.activity("invoke_action")
    invoke["value"]["action"]["data"] = {"okrbot_action": "nothing.here", "okrbot_value": ""}
    token = double.token(rig.fake.service_url)
    answer = await rig.post(invoke, {"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    assert json.loads(answer.body)["statusCode"] == 200
    assert await count(rig, InboxEvent) == 0


async def test_an_activity_without_a_valid_token_is_not_kept(
    rig: TeamsRig, double: IdentityDouble
) -> None:
    story = rig.in_personal_chat(STORY.format("forged"))
    forged = await rig.post(story, {"Authorization": "Bearer not.a.token"})
    assert forged.status == 401
    assert await count(rig, InboxEvent) == 0


@pytest.mark.timeout(300)  # it starts okrbot twice as an operator would, slow on a busy machine
async def test_an_activity_that_keeps_failing_is_a_dead_letter_an_operator_replays(
    rig: TeamsRig, double: IdentityDouble, database_url: str
) -> None:
    await make_poison(rig)
    try:
        story = rig.in_personal_chat(STORY.format("poison, then cured"))
        assert await send(rig, double, story) == 200
        for _ in range(ATTEMPTS):
            await rig.handle_inbox()
            rig.clock.advance(timedelta(minutes=1))
        (dead,) = await rows(rig, InboxEvent)
        assert (dead.platform, dead.state) == ("teams", InboxState.DEAD)
        listed = await okrbot(database_url, "inbox")
        assert "\tteams\ttenant-0001\t5\t" in listed and "poison" not in listed
        assert listed.splitlines()[-1] == "0 waiting (oldest 0 s), 1 dead"
    finally:
        await cure(rig)
    replayed = await okrbot(database_url, "inbox", "replay", "--all-dead")
    assert replayed.startswith("Put 1 dead event(s) back")
    await rig.settle()
    [stored] = await stories(rig)
    assert "poison, then cured" in stored
    assert await count(rig, InboxEvent) == 0
    [reply] = rig.fake.to(personal_chat("grace"))  # answered once, when it was handled
    assert reply.reply_to == story["id"]
