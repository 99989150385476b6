"""Slack's events through the inbox, over real HTTP on both databases.

Each signed Events API request is acked once its event is stored, and handled after the ack by
the inbox's worker: exactly once, in order within a channel, retried and then set aside when
it keeps failing, never lost. The worker's loop is not running here: the tests hand the stored
events to it when they choose, to see what an ack alone has done.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from bot.runtime.inbox import ATTEMPTS
from storage.inbox import InboxEvent, InboxState
from storage.okr import LearningStory
from tests.server.rig import SlackRig
from tests.server.scraped import value
from tests.support.poison import cure, make_poison, okrbot
from tests.support.rows import count, rows

CHANNELS = [f"C{n}" for n in range(1, 6)]


def mention(text: str, *, channel: str = "C1", user: str = "U1") -> dict[str, object]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT0001> {text}",
        "ts": "1700000000.000001",
        "channel": channel,
    }


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[SlackRig]:
    async with await SlackRig.start(database_url) as started:
        for channel in CHANNELS:
            assert (await started.command("/okr team create T-" + channel, channel=channel)).status
        started.handles_events = False
        yield started
        await cure(started)


async def stories(rig: SlackRig) -> list[str]:
    return [story.text for story in await rows(rig, LearningStory)]


async def test_an_acked_event_is_kept_then_handled_once_whatever_slack_retries(
    rig: SlackRig,
) -> None:
    story = mention("story learning learned: retries are harmless")
    first = await rig.event(story, event_id="EvOnce1")
    again = await rig.event(story, event_id="EvOnce1", retry=1)  # Slack thought it was lost
    assert (first.status, again.status) == (200, 200)
    assert await count(rig, InboxEvent) == 1  # acked: kept once, not yet handled
    assert await stories(rig) == []
    assert await rig.handle_inbox() == 1
    late = await rig.event(story, event_id="EvOnce1", retry=2)  # after it was handled
    assert late.status == 200
    await rig.settle()
    assert await stories(rig) == ["learned: retries are harmless"]
    assert await count(rig, InboxEvent) == 0
    replies = [c for c in rig.fake.to("chat.postEphemeral") if "retries" in json.dumps(c.arguments)]
    assert len(replies) <= 1  # the person is answered once, however often Slack sent it


async def test_fifty_concurrent_events_in_five_channels_are_handled_in_each_channel_s_order(
    rig: SlackRig,
) -> None:
    async def channel_sends(channel: str) -> None:
        for n in range(10):  # each acked before the next is sent, as one person typing
            story = mention(f"story learning learned: {channel} step {n}", channel=channel)
            answer = await rig.event(story, event_id=f"Ev{channel}x{n}")
            assert answer.status == 200

    await asyncio.gather(*(channel_sends(channel) for channel in CHANNELS))
    assert await count(rig, InboxEvent) == 50
    await rig.settle()
    texts = await stories(rig)
    assert len(texts) == len(set(texts)) == 50
    for channel in CHANNELS:
        mine = [t for t in texts if t.startswith(f"learned: {channel} ")]
        assert mine == [f"learned: {channel} step {n}" for n in range(10)]
    assert await count(rig, InboxEvent) == 0


async def test_a_poison_event_ends_a_dead_letter_and_its_channel_goes_on(rig: SlackRig) -> None:
    await make_poison(rig)
    for n, words in enumerate(["before", "poison", "after"]):
        story = mention(f"story learning learned: {words}", channel="C2")
        assert (await rig.event(story, event_id=f"EvPoison{n}")).status == 200
    elsewhere = mention("story learning learned: another channel", channel="C3")
    assert (await rig.event(elsewhere, event_id="EvElsewhere")).status == 200
    await rig.handle_inbox()
    # The poison event waits for its retry, and the channel's later event waits behind it.
    assert sorted(await stories(rig)) == ["learned: another channel", "learned: before"]
    for _ in range(ATTEMPTS):
        rig.clock.advance(timedelta(minutes=1))
        await rig.handle_inbox()
    await rig.settle()
    texts = await stories(rig)
    assert sorted(texts) == ["learned: after", "learned: another channel", "learned: before"]
    assert texts.index("learned: before") < texts.index("learned: after")
    (dead,) = await rows(rig, InboxEvent)
    assert dead.state is InboxState.DEAD and dead.attempts == ATTEMPTS
    assert "refused" in (dead.error or "") and "poison" not in (dead.error or "")
    page = await (await rig.client.get("/metrics")).text()
    assert value(page, "okrbot_inbox_dead_letters", platform="slack") == 1
    assert value(page, "okrbot_inbox_pending_events", platform="slack") is None
    assert value(page, "okrbot_inbox_ack_to_handled_seconds_count", platform="slack") == 3


async def test_a_channel_s_events_share_a_transaction_and_a_poison_one_rolls_back_alone(
    rig: SlackRig,
) -> None:
    await make_poison(rig)
    words = ["one", "two", "three", "poison", "five", "six"]
    for n, word in enumerate(words):
        story = mention(f"story learning learned: {word}", channel="C4", user=f"U{n}")
        assert (await rig.event(story, event_id=f"EvBatch{n}")).status == 200
    rig.server.okrbot.inbox.budget = 60.0  # however slow the machine, one batch
    commits: list[object] = []
    statements: list[str] = []

    def executed(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    engine, counted = rig.server.okrbot.engine.sync_engine, commits.append
    event.listen(engine, "commit", counted)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        await rig.handle_inbox()
    finally:
        event.remove(engine, "commit", counted)
        event.remove(engine, "before_cursor_execute", executed)
    # The claim, one transaction for the three stories before the poison, the poison's failure,
    # and the claim that finds nothing left; one transaction per event made seven.
    assert len(commits) == 4
    # The channel's team is looked up once for the four events of the batch.
    assert sum(s.startswith("SELECT team.id") for s in statements) == 1
    await rig.settle()
    assert await stories(rig) == ["learned: one", "learned: two", "learned: three"]
    answered = {c.arguments.get("user") for c in rig.fake.to("chat.postEphemeral")}
    assert {"U0", "U1", "U2"} <= answered and "U3" not in answered
    waiting = {row.event_id: row for row in await rows(rig, InboxEvent)}
    assert waiting["EvBatch3"].attempts == 1 and "EvBatch0" not in waiting
    for _ in range(ATTEMPTS):
        rig.clock.advance(timedelta(minutes=1))
        await rig.handle_inbox()
    await rig.settle()
    assert await stories(rig) == [f"learned: {word}" for word in words if word != "poison"]
    (dead,) = await rows(rig, InboxEvent)
    assert dead.event_id == "EvBatch3" and dead.state is InboxState.DEAD
    page = await (await rig.client.get("/metrics")).text()
    assert value(page, "okrbot_inbox_ack_to_handled_seconds_count", platform="slack") == 5
    assert value(page, "okrbot_events_deduplicated_total", platform="slack", kind="message") is None


@pytest.mark.timeout(300)  # it starts okrbot three times, which takes long on a busy machine
async def test_an_operator_lists_and_replays_a_dead_letter(
    rig: SlackRig, database_url: str
) -> None:
    await make_poison(rig)
    story = mention("story learning learned: poison, then cured", channel="C2")
    assert (await rig.event(story, event_id="EvCured")).status == 200
    for _ in range(ATTEMPTS):
        await rig.handle_inbox()
        rig.clock.advance(timedelta(minutes=1))
    checked = await okrbot(database_url, "doctor")
    assert "warning  inbox: 1 event(s) were given up" in checked
    listed = await okrbot(database_url, "inbox")
    assert listed.splitlines()[-1] == "0 waiting (oldest 0 s), 1 dead"
    assert "poison" not in listed  # an operator sees the error, never what the person wrote
    async with rig.sessions() as session, session.begin():
        await session.execute(
            text(
                "DROP TRIGGER refuse_poison"
                + ("" if session.get_bind().dialect.name == "sqlite" else " ON learning_story")
            )
        )
    replayed = await okrbot(database_url, "inbox", "replay", "--all-dead")
    assert replayed.startswith("Put 1 dead event(s) back")
    await rig.settle()
    assert await stories(rig) == ["learned: poison, then cured"]
    assert await count(rig, InboxEvent) == 0


async def test_malformed_events_get_4xx_and_are_not_kept(rig: SlackRig) -> None:
    assert (await rig.post("{not json", "application/json")).status == 400
    assert (
        await rig.post('{"type": "event_callback", "event": [', "application/json")
    ).status == 400
    assert (await rig.post("[1, 2]", "application/json")).status == 400
    bad_user = {"type": "app_mention", "user": 42, "channel": "C1", "text": "hi"}
    envelope = {"type": "event_callback", "team_id": "T1", "event_id": "EvBad", "event": bad_user}
    # Slack would send an unreadable event again and again after a 4xx: it is acked and dropped.
    assert (await rig.post(json.dumps(envelope), "application/json")).status == 200
    bot_message = mention("story learning from a bot") | {"bot_id": "B1"}
    assert (await rig.event(bot_message, event_id="EvBot")).status == 200
    async with rig.sessions() as session:
        assert (await session.scalars(select(InboxEvent))).all() == []
