"""The concern loop over Teams' real HTTP edge: an anonymous concern reaches the channel the
next morning, gathers a voice through its card, and gets a lead's answer, naming nobody."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from adapters.teams.forms import ACTION_KEY, VALUE_KEY
from retrospectives.okrs.concerns.forms import ConcernAction
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, aad

CONCERN = "we close tickets before customers are helped"


def card_buttons(call) -> list[dict[str, object]]:
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict) and ACTION_KEY in node["data"]:
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.body)
    return found


async def test_an_anonymous_concern_gathers_a_voice_and_an_answer_on_teams(database_url: str):
    rig = await TeamsRig.start(database_url)
    try:
        rig.fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
        assert (await rig.post(rig.in_channel("okr team create Support"))).status == 200
        line = f"okr concern Tickets closed: {CONCERN} | harms: customers anonymous team"
        raised = await rig.post(rig.in_channel(line, who="grace"))
        assert raised.status == 200
        said = rig.fake.all_text()
        code = re.findall(r"\bC\d+\b", said)[-1]
        await rig.deliver()
        posts_before = len(rig.fake.to(CHANNEL))

        rig.clock.set(datetime.combine(rig.clock.now().date() + timedelta(days=1), time(9), UTC))
        await rig.server.okrbot.tick()
        [post] = rig.fake.to(CHANNEL)[posts_before:]
        assert "Tickets closed" in post.text()
        [voice] = [
            b for b in card_buttons(post) if b[ACTION_KEY] == ConcernAction.VOICE_ANONYMOUSLY
        ]
        pressed = rig.in_channel("", who="grace", mention=False)
        pressed["value"] = {ACTION_KEY: voice[ACTION_KEY], VALUE_KEY: voice[VALUE_KEY]}
        assert (await rig.post(pressed)).status == 200

        answer = f"okr concern answer {code} replaced: we count reopened tickets"
        assert (await rig.post(rig.in_channel(answer))).status == 200
        await rig.deliver()
        channel = "\n".join(c.text() for c in rig.fake.to(CHANNEL)[posts_before:])
        assert "we count reopened tickets" in channel
        assert "0 by name, 1 anonymously" in channel
        grace = PEOPLE["grace"]
        for trace in (grace["id"], aad("grace"), grace["name"]):
            assert trace not in channel
    finally:
        await rig.close()
