"""Tell who answered anonymously by elimination, through Slack HTTP and Teams: the summary won't.

With two named answerers and one anonymous, the named know who the third was, so the anonymous
answers stay out of the channel's summary; with three anonymous answerers they are shown.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.rig import SlackRig, user, view_submission
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, personal_chat
from tests.server.test_slack_retro import block_action

WITHHELD = "fewer than 3 people answered anonymously"


def said_by(person: str) -> str:
    return f"Secret bet of {person}: guest checkout"


async def slack_summary(rig: SlackRig, anonymous: set[str]) -> str:
    """U1 and U2 answer in direct messages and U3 in the modal; then U1 closes and we read C1."""
    rig.fake.members["C1"] = ["U1", "U2", "U3"]
    await rig.command("/okr team create Checkout tz=Europe/Berlin")
    await rig.command("/retro start")
    await rig.server.okrbot.tick()
    for person in ("U1", "U2"):
        lines = (["anonymous"] if person in anonymous else []) + [said_by(person)]
        for n, text in enumerate(lines):
            event = {"type": "message", "channel_type": "im", "channel": f"D{person}"}
            event |= {"user": person, "text": text, "ts": f"1700000001.{n}"}
            assert (await rig.event(event, event_id=f"Ev-{person}-{n}")).status == 200
            await rig.settle()
    await answer_in_modal(rig, "U3", anonymous="U3" in anonymous)
    assert (await rig.command("/retro close")).status == 200
    await rig.settle()
    await rig.deliver()
    posted = [c for c in rig.fake.to("chat.postMessage") if c.arguments["channel"] == "C1"]
    return json.dumps([c.arguments for c in posted])


async def answer_in_modal(rig: SlackRig, person: str, *, anonymous: bool) -> None:
    [prompt] = [
        c for c in rig.fake.to("chat.postMessage") if c.arguments["channel"] == f"D{person}"
    ]
    blocks = prompt.arguments["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    [button] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    pressed = block_action(
        button["action_id"], button["value"], user_id=person, channel=f"D{person}"
    )
    assert (await rig.interaction(pressed)).status == 200
    await rig.settle()
    view: Any = rig.fake.to("views.open")[-1].arguments["view"]
    view = json.loads(view) if isinstance(view, str) else view
    submission = view_submission(
        "retro_answers", {"bet": said_by(person)}, metadata=view["private_metadata"], user_id=person
    )
    choice = {"type": "radio_buttons", "selected_option": {"value": "yes" if anonymous else "no"}}
    submission["view"]["state"]["values"]["anonymous"] = {"anonymous": choice}
    submission["user"] = user(person)
    assert (await rig.interaction(submission)).status == 200
    await rig.settle()


async def test_slack_two_named_and_one_anonymous_withholds_the_anonymous(slack: SlackRig) -> None:
    summary = await slack_summary(slack, anonymous={"U3"})
    assert said_by("U1") in summary and said_by("U2") in summary
    assert said_by("U3") not in summary
    assert WITHHELD in summary


async def test_slack_three_anonymous_answerers_are_shown(slack: SlackRig) -> None:
    summary = await slack_summary(slack, anonymous={"U1", "U2", "U3"})
    assert all(said_by(p) in summary for p in ("U1", "U2", "U3"))
    assert WITHHELD not in summary
    assert not [p for p in ("U1", "U2", "U3") if f"<@{p}>" in summary]


async def teams_summary(rig: TeamsRig, anonymous: set[str]) -> str:
    """Ada, Grace and Linus answer in their 1:1 chats; then Ada closes and we read the channel."""
    linus = {"id": "29:1linus-account", "name": "Linus", "aadObjectId": "0000-linus"}
    people = {**PEOPLE, "linus": linus}
    rig.fake.members[CHANNEL] = list(people.values())
    assert (await rig.post(rig.in_channel("okr team create Checkout"))).status == 200
    for who in ("grace", "linus"):
        chat = personal_chat(who)
        hello = rig.in_personal_chat("okr help", who="grace")
        hello["from"], hello["conversation"]["id"] = people[who], chat
        assert (await rig.post(hello)).status == 200
    assert (await rig.post(rig.in_channel("/retro start"))).status == 200
    await rig.server.okrbot.tick()
    ada_chat = f"a:1chat-with-{PEOPLE['ada']['id']}"
    for who in ("ada", "grace", "linus"):
        for text in (["anonymous"] if who in anonymous else []) + [said_by(who)]:
            message = rig.in_personal_chat(text, who="grace")
            message["from"] = people[who]
            message["conversation"]["id"] = ada_chat if who == "ada" else personal_chat(who)
            assert (await rig.post(message)).status == 200
    assert (await rig.post(rig.in_channel("/retro close"))).status == 200
    await rig.deliver()
    return json.dumps([c.body for c in rig.fake.to(CHANNEL)])


@pytest.mark.parametrize(
    ("anonymous", "shown"),
    [({"linus"}, {"ada", "grace"}), ({"ada", "grace", "linus"}, {"ada", "grace", "linus"})],
)
async def test_teams_summary_shows_anonymous_answers_only_among_three(
    teams: TeamsRig, anonymous: set[str], shown: set[str]
) -> None:
    summary = await teams_summary(teams, anonymous)
    assert {who for who in ("ada", "grace", "linus") if said_by(who) in summary} == shown
    assert (WITHHELD in summary) == (len(anonymous) < 3)
