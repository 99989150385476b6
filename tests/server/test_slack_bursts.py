"""A burst of Slack events: every one acked in time and stored once, replies on kept-alive
connections."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from storage.okr import LearningStory
from tests.server.rig import SlackRig
from tests.server.test_slack_http import mention
from tests.support.rows import count

BURST = 30
SLACK_PATIENCE = 3.0  # seconds Slack waits for an ack before it retries


def story(number: int) -> dict[str, object]:
    return mention(
        f"story learning hypothesis: burst {number} | learned: lesson {number}",
        user=f"U{number % 7}",
    )


async def timed(slack: SlackRig, number: int) -> tuple[int, float]:
    started = time.perf_counter()
    answer = await slack.event(story(number), event_id=f"EvBurst{number:03d}")
    return answer.status, time.perf_counter() - started


async def test_a_burst_on_sqlite_is_acked_in_time_and_stored_once(slack_sqlite: SlackRig) -> None:
    slack = slack_sqlite
    await slack.command("/okr team create Checkout")
    answers = await asyncio.gather(*(timed(slack, n) for n in range(BURST)))
    assert [status for status, _ in answers] == [200] * BURST, "no 'database is locked', no 503"
    slowest = max(seconds for _, seconds in answers)
    assert slowest < SLACK_PATIENCE, f"an ack took {slowest:.2f} s: Slack would have retried"
    retried = await asyncio.gather(*(timed(slack, n) for n in range(BURST)))
    assert [status for status, _ in retried] == [200] * BURST
    async with slack.server.okrbot.sessions() as session:
        distinct = await session.scalar(select(func.count(func.distinct(LearningStory.text))))
    assert (await count(slack, LearningStory), distinct) == (BURST, BURST)


async def test_replies_after_acks_reuse_kept_alive_connections(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    await slack.settle()
    for number in range(6):
        assert (await slack.event(story(number), event_id=f"EvKept{number}")).status == 200
        await slack.settle()  # one at a time: each reply could take the free connection
    assert len(slack.fake.to("chat.postEphemeral")) == 6
    assert len(slack.fake.peers) <= 2, f"{len(slack.fake.peers)} connections for 6 replies"
