"""The concern loop over Slack's real HTTP edge: an anonymous concern gathers voices and an
answer in the team's channel, and no message or log line names its raiser or its voices."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from retrospectives.okrs.concerns.forms import ConcernAction
from tests.server.rig import SlackRig
from tests.server.test_anonymous_logs import pairing, verbose  # noqa: F401 (a fixture)
from tests.server.test_slack_retro import block_action

RAISER = "U0QUIET42"
VOICE = "U0VOICE77"
CONCERN = "we close tickets before customers are helped"


def blocks_of(call: Any) -> list[dict[str, Any]]:
    blocks = call.arguments.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def posted_to(rig: SlackRig, channel: str) -> list[str]:
    return [
        json.dumps(c.arguments)
        for c in rig.fake.to("chat.postMessage")
        if c.arguments.get("channel") == channel
    ]


async def test_an_anonymous_concern_is_voiced_and_answered_without_its_people(
    database_url: str,
    verbose: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    rig = await SlackRig.start(database_url)
    try:
        await rig.command("/okr team create Support")
        raised = await rig.command(
            f"/okr concern Tickets closed: {CONCERN} | drives: closing fast anonymous team",
            user=RAISER,
        )
        assert raised.status == 200
        await rig.settle()
        code = re.search(r"\bC\d+\b", json.dumps(raised.json())).group(0)
        await rig.deliver()
        assert posted_to(rig, "C1") == []

        morning = datetime.combine(rig.clock.now().date() + timedelta(days=1), time(9), UTC)
        rig.clock.set(morning)
        await rig.server.okrbot.tick()
        [post] = [c for c in rig.fake.to("chat.postMessage") if c.arguments["channel"] == "C1"]
        buttons = [e for b in blocks_of(post) if b["type"] == "actions" for e in b["elements"]]
        [anonymously] = [
            b for b in buttons if b["action_id"].startswith(ConcernAction.VOICE_ANONYMOUSLY)
        ]
        pressed = await rig.interaction(
            block_action(
                anonymously["action_id"], anonymously["value"], user_id=VOICE, channel="C1"
            )
        )
        assert pressed.status == 200
        await rig.settle()
        again = await rig.command(f"/okr concern voice {code}", user=VOICE)
        assert "already" in json.dumps(again.json())

        answered = await rig.command(
            f"/okr concern answer {code} changed: we count reopened tickets"
        )
        assert answered.status == 200
        await rig.settle()
        await rig.deliver()
        channel = "\n".join(posted_to(rig, "C1"))
        assert "we count reopened tickets" in channel and "Tickets closed" in channel
        assert "1 voice added (0 by name, 1 anonymously)" in channel
        assert RAISER not in channel and VOICE not in channel
        assert pairing(verbose, [RAISER], [CONCERN]) == []
        assert pairing(verbose, [VOICE], [code, CONCERN]) == []
    finally:
        await rig.close()
