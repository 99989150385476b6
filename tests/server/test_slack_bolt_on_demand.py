"""Slack's Bolt app is built by the first request that needs it, and only once.

A server just started keeps events without it; commands arriving together then all wait for
the same load and are all answered.
"""

from __future__ import annotations

import asyncio

from storage.inbox import InboxEvent
from tests.server.rig import SlackRig
from tests.server.test_inbox import mention
from tests.support.rows import count


async def test_commands_arriving_together_after_start_share_one_build(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url)
    try:
        rig.handles_events = False
        story = mention("story learning learned: told before any command")
        assert (await rig.event(story, event_id="EvFirst")).status == 200
        assert await count(rig, InboxEvent) == 1  # kept, with no Bolt app built
        assert rig.slack.bolt is not None and rig.slack.bolt.built is None
        answers = await asyncio.gather(
            rig.command("/okr team create Checkout"),
            rig.command("/okr help", user="U2"),
            rig.command("/okr help", user="U3"),
        )
        assert [answer.status for answer in answers] == [200, 200, 200]
        assert "Checkout" in answers[0].body
        built = rig.slack.bolt.built
        assert built is not None
        assert rig.slack.app is built  # one app, built once, serves every later request
        assert (await rig.command("/okr help", user="U4")).status == 200
        assert rig.slack.bolt.built is built
    finally:
        await rig.close()
