"""Shout-outs in Slack over real HTTP: announced in the team's channel, co-signed by reaction."""

from __future__ import annotations

from sqlalchemy import select

from storage.recognition import CoSign
from tests.server.rig import SlackRig


async def co_signers(rig: SlackRig) -> list[str]:
    async with rig.server.okrbot.sessions() as session:
        return list(await session.scalars(select(CoSign.user_id).order_by(CoSign.user_id)))


def reaction(user: str, channel: str, ts: str) -> dict[str, object]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": "tada",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": "UBOT",
        "event_ts": "1700000100.000001",
    }


async def test_a_reaction_on_the_announcement_co_signs_it_once(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout", channel="C1")
    await slack.command("/okr team create Payments", channel="C2", user="U2")
    given = await slack.command(
        "/shoutout Checkout for sharing their failed pricing test <!here> with everyone",
        channel="C2",
        user="U2",
    )
    assert given.status == 200
    assert await slack.deliver() == 1
    [announcement] = [
        c for c in slack.fake.to("chat.postMessage") if c.arguments["channel"] == "C1"
    ]
    assert "<!here>" not in announcement.text() and "&lt;!here&gt;" in announcement.text()
    ts = slack.fake.posted("C1")[0]["ts"]  # the announcement's message id

    for number, (user, where) in enumerate([("U3", ts), ("U3", ts), ("U2", ts), ("U4", "9.9")]):
        answer = await slack.event(reaction(user, "C1", where), event_id=f"Ev-react-{number}")
        assert answer.status == 200
    # U3 counts once, the giver's own reaction does not count, another message is not it.
    assert await co_signers(slack) == ["U3"]
