"""Outbound messages through the real HTTP edges: rate limits delay, refusals are dead letters.

Slack and Teams are the fakes at the process edge; okrbot sends through its real clients.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.entry.cli import main
from bot.replies import Audience, Delivery, Reply
from bot.runtime import outbox
from bot.runtime.outbox import LEASE
from storage import core
from storage.outbox import OutboxMessage, OutboxStatus
from tests.server.rig import SlackRig
from tests.server.scraped import value
from tests.server.teams_rig import CHANNEL, TeamsRig

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")


async def statuses(okrbot_sessions) -> Counter[OutboxStatus]:  # type: ignore[no-untyped-def]
    async with okrbot_sessions() as session:
        return Counter(await session.scalars(select(OutboxMessage.status)))


async def drain(deliver, clock, sessions, *, step: timedelta, rounds: int = 200) -> int:  # type: ignore[no-untyped-def]
    """Deliver and let time pass until nothing is pending; return the rounds it took."""
    for number in range(rounds):
        await deliver()
        if not (await statuses(sessions))[OutboxStatus.PENDING]:
            return number
        clock.advance(step)
    raise AssertionError("messages were still pending")


async def until(condition: Callable[[], bool], within: float = 20.0) -> None:
    """Wait until ``condition`` holds, looking every few milliseconds."""
    for _ in range(int(within / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("it never happened")


def order_of(texts: list[str]) -> list[str]:
    return [word for text in texts for word in WORDS if f"pairing {word}" in text]


async def test_a_slack_429_storm_delays_shout_outs_in_order_and_drops_none(
    slack: SlackRig,
) -> None:
    await slack.command("/okr team create Checkout", channel="C1")
    await slack.command("/okr team create Payments", channel="C2", user="U2")
    for word in WORDS:
        line = f"/shoutout Checkout for pairing {word} with us on the refund flow"
        assert (await slack.command(line, channel="C2", user="U2")).status == 200
    await slack.settle()
    slack.fake.rate_limited = 40  # forty answers in a row are 429 "Retry-After: 1"
    sessions = slack.server.okrbot.sessions
    await drain(slack.deliver, slack.clock, sessions, step=timedelta(seconds=1))
    assert slack.fake.throttled == 40
    metrics = await (await slack.client.get("/metrics")).text()
    assert value(metrics, "okrbot_outbox_rate_limited_total", platform="slack") == 40
    announced = [json.dumps(m) for m in slack.fake.posted("C1")]
    assert order_of(announced) == list(WORDS)  # each once, in the order they were given
    assert await statuses(sessions) == Counter({OutboxStatus.SENT: len(WORDS)})


@pytest.mark.parametrize("status", [429, 503])
async def test_teams_throttling_delays_shout_outs_in_order_and_drops_none(
    teams: TeamsRig, status: int
) -> None:
    await teams.post(teams.in_channel("okr team create Checkout"))
    for word in WORDS:
        answered = await teams.post(
            teams.in_personal_chat(
                f"shoutout Checkout for pairing {word} with us on the refund flow"
            )
        )
        assert answered.status == 200
    teams.fake.throttled, teams.fake.throttle_status, teams.fake.retry_after = 25, status, 2
    sessions = teams.server.okrbot.sessions
    await drain(teams.deliver, teams.clock, sessions, step=timedelta(seconds=2))
    assert teams.fake.throttled == 0
    metrics = await (await teams.client.get("/metrics")).text()
    assert value(metrics, "okrbot_outbox_rate_limited_total", platform="teams") == 25
    assert order_of([c.text() for c in teams.fake.to(CHANNEL)]) == list(WORDS)
    assert await statuses(sessions) == Counter({OutboxStatus.SENT: len(WORDS)})


async def test_a_refused_message_is_a_dead_letter_listed_counted_and_retried(
    slack: SlackRig,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await slack.command("/okr team create Checkout", channel="C1")
    await slack.command("/okr team create Payments", channel="C2", user="U2")
    secret = "a shout-out nobody but Checkout should read"
    await slack.command(f"/shoutout Checkout for {secret}", channel="C2", user="U2")
    slack.fake.missing_channels.add("C1")  # the channel was deleted
    assert await slack.deliver() == 0
    assert await slack.deliver() == 0  # a dead letter is not tried again by itself
    metrics = await (await slack.client.get("/metrics")).text()
    assert 'okrbot_outbox_dead_letters{platform="slack",reason="refused"} 1' in metrics
    dead_lettered = "okrbot_outbox_dead_lettered_total"
    assert value(metrics, dead_lettered, platform="slack", reason="refused") == 1

    monkeypatch.setenv("OKRBOT_DATABASE_URL", database_url)
    assert await okrbot_command(["outbox", "--dead", "--workspace", "T1"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2  # a header and the dead letter
    dead_id, _age, platform, workspace, target, _tries, reason = listed[1].split("\t")
    assert (platform, workspace, target) == ("slack", "T1", "channel:C1")
    assert reason.startswith("refused:") and "channel_not_found" in reason
    assert secret not in "\n".join(listed)  # never the text: it may be anonymous content
    assert await okrbot_command(["outbox", "--dead", "--workspace", "T9"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # another workspace's: none

    slack.fake.missing_channels.clear()  # the channel is back
    assert await okrbot_command(["outbox", "retry", dead_id]) == 0
    assert "Put 1 dead letter(s) back" in capsys.readouterr().out
    assert await okrbot_command(["outbox", "retry", dead_id]) == 1  # no longer a dead letter
    assert await okrbot_command(["outbox", "retry"]) == 2  # which ones?
    capsys.readouterr()
    assert await slack.deliver() == 1
    [announcement] = slack.fake.posted("C1")
    assert secret in json.dumps(announcement)
    metrics = await (await slack.client.get("/metrics")).text()
    assert "okrbot_outbox_dead_letters{" not in metrics


async def okrbot_command(argv: list[str]) -> int:
    """Run `okrbot` as an operator would, beside the running server."""
    return await asyncio.to_thread(main, argv)


async def people_messages(okrbot, workspace: str, platform: str, people: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Queue one private message for each person, as a retrospective opening does."""
    async with okrbot.sessions() as session, session.begin():
        found = await core.get_or_create_workspace(
            session, platform=platform, external_id=workspace, now=okrbot.clock.now()
        )
        for person in people:
            delivery = Delivery(Audience.PERSON, person, Reply(f"hello {person}"), key=person)
            await outbox.enqueue(
                session, workspace_id=found.id, delivery=delivery, now=okrbot.clock.now()
            )


async def test_a_slack_worker_killed_mid_send_sends_nothing_twice(slack: SlackRig) -> None:
    people = [f"U{n:02d}" for n in range(12)]
    await people_messages(slack.server.okrbot, "T1", "slack", people)
    slack.fake.delay = 0.05
    crashed = asyncio.ensure_future(slack.deliver())
    await until(lambda: len(slack.fake.to("chat.postMessage")) >= 3)
    crashed.cancel()  # the worker dies with sends in flight, none of them recorded
    await asyncio.gather(crashed, return_exceptions=True)
    await asyncio.sleep(0.2)  # what reached Slack before the crash has landed
    before = {p for p in people if slack.fake.posted(f"D{p}")}
    assert before, "some messages went out before the crash"
    recorded = (await statuses(slack.server.okrbot.sessions))[OutboxStatus.SENT]
    unrecorded = len(before) - recorded  # sent, but the crash came before it was written

    slack.fake.delay = 0
    slack.clock.advance(LEASE)  # the dead worker's lease runs out
    assert await slack.deliver() == len(people) - recorded
    assert all(len(slack.fake.posted(f"D{p}")) == 1 for p in people)  # each exactly once
    looked = {c.arguments["channel"] for c in slack.fake.to("conversations.history")}
    assert len(looked & {f"D{p}" for p in before}) >= unrecorded  # found by mark, not reposted
