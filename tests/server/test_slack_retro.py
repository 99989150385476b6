"""Retrospectives and App Home in Slack, over real HTTP against the fake Web API."""

from __future__ import annotations

import json

from sqlalchemy import select

from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from storage.retro import RetroAnswer
from tests.server.rig import SlackRig, user, view_submission


async def answers(rig: SlackRig) -> list[tuple[str, str, str | None]]:
    async with rig.server.okrbot.sessions() as session:
        rows = await session.scalars(select(RetroAnswer).order_by(RetroAnswer.id))
        return [(a.question_key, a.text, a.author_id) for a in rows]


def block_action(action_id: str, value: str, *, user_id: str, channel: str) -> dict[str, object]:
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "example"},
        "user": user(user_id),
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "trigger-retro",
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.2"},
        "channel": {"id": channel, "name": "directmessage"},
        "response_url": "",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": "1.3",
            }
        ],
        "is_enterprise_install": False,
        "enterprise": None,
    }


async def test_a_retrospective_answered_in_a_modal_and_in_conversation(slack: SlackRig) -> None:
    slack.fake.members["C1"] = ["U1", "U2"]
    await slack.command("/okr team create Checkout tz=Europe/Berlin")
    started = await slack.command("/retro start")
    assert cycle_texts.retro_starting("Checkout") in started.json()["text"]
    report = await slack.server.okrbot.tick()
    assert report.performed == 1 and report.delivered == 3

    prompts = [c for c in slack.fake.to("chat.postMessage") if c.arguments["channel"] == "DU2"]
    [prompt] = prompts
    blocks = prompt.arguments["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    [button] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"].startswith("retro.answer_form")

    pressed = await slack.interaction(
        block_action(button["action_id"], button["value"], user_id="U2", channel="DU2")
    )
    assert pressed.status == 200
    await slack.settle()
    [modal] = slack.fake.to("views.open")
    view = modal.arguments["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == "retro_answers"
    submitted = await slack.interaction(
        view_submission(
            "retro_answers",
            {"bet": "Fewer fields lift completion", "learned": "Trust mattered more"},
            metadata=view["private_metadata"],
            user_id="U2",
        )
    )
    assert submitted.status == 200

    # U1 answers in a direct message instead: the same rows.
    said = await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DU1",
            "user": "U1",
            "text": "We bet on guest checkout",
            "ts": "1700000001.000100",
        },
        event_id="Ev-retro-1",
    )
    assert said.status == 200
    await slack.settle()
    assert await answers(slack) == [
        ("bet", "Fewer fields lift completion", "U2"),
        ("learned", "Trust mattered more", "U2"),
        ("bet", "We bet on guest checkout", "U1"),
    ]
    replies = [c for c in slack.fake.to("chat.postMessage") if c.arguments["channel"] == "DU1"]
    assert cycle_texts.question_title(2, 5) in json.dumps(replies[-1].arguments)


async def test_app_home_shows_teams_and_the_buttons_that_open_forms(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    await slack.command("/story learning learned: buyers read reviews first")
    opened = await slack.event(
        {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"},
        event_id="Ev-home-1",
    )
    assert opened.status == 200
    await slack.settle()
    [published] = slack.fake.to("views.publish")
    view = published.arguments["view"]
    text = json.dumps(view)
    assert "Checkout" + texts.HOME_LEAD_MARK in text
    assert "buyers read reviews first" in text
    assert "story.open_learning" in text and "shoutout.open_form" in text
