"""A team's first week in Slack, over real HTTP: commands, a modal, a shortcut, a DM, a digest."""

from __future__ import annotations

import json

from storage.okr import LearningStory, MetricConcern
from tests.server.rig import SlackRig, user, view_submission
from tests.support.rows import count


async def test_from_team_creation_to_the_leads_digest(slack: SlackRig) -> None:
    created = await slack.command("/okr team create Checkout tz=Europe/Berlin")
    assert created.status == 200
    assert "Checkout" in created.json()["text"]

    by_command = await slack.command(
        "/story learning hypothesis: one-page checkout lifts completion | "
        "learned: it did not <!channel> | result: invalidated"
    )
    assert by_command.status == 200
    assert by_command.json()["response_type"] == "ephemeral"
    assert "<!channel>" not in by_command.body
    assert await count(slack, LearningStory) == 1

    opened = await slack.command("/story learning")
    assert opened.status == 200 and opened.body == ""
    await slack.settle()
    (modal,) = slack.fake.to("views.open")
    view = modal.arguments["view"]
    assert view["callback_id"] == "story_learning"
    submitted = await slack.interaction(
        view_submission(
            "story_learning",
            {"hypothesis": "Guest checkout helps", "learned": "It helped returning buyers"},
            metadata=view["private_metadata"],
        )
    )
    assert submitted.status == 200 and submitted.body == ""
    assert await count(slack, LearningStory) == 2

    shortcut = await slack.interaction(
        {
            "type": "message_action",
            "callback_id": "save_learning_story",
            "team": {"id": "T1", "domain": "example"},
            "user": user("U1"),
            "channel": {"id": "C1", "name": "checkout"},
            "trigger_id": "trigger-shortcut",
            "response_url": slack.fake.response_url("shortcut"),
            "message_ts": "1700000000.000100",
            "message": {
                "type": "message",
                "user": "U2",
                "ts": "1700000000.000100",
                "text": "We learned that trial users who import data stay",
            },
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )
    assert shortcut.status == 200
    await slack.settle()
    assert await count(slack, LearningStory) == 3
    (saved,) = slack.fake.to("response_url")
    assert saved.arguments["response_type"] == "ephemeral"

    concern = await slack.command("/okr concern Handle time: people close tickets early", user="U2")
    assert concern.status == 200, concern.body
    assert await count(slack, MetricConcern) == 1
    assert await slack.deliver() >= 1
    (opened_dm,) = slack.fake.to("conversations.open")
    assert opened_dm.arguments["users"] == "U1"
    to_lead = [c for c in slack.fake.to("chat.postMessage") if c.arguments["channel"] == "DU1"]
    assert to_lead and "Handle time" in to_lead[0].text()
    assert all(c.token == "xoxb-test-token" for c in slack.fake.calls if c.method != "response_url")

    digest = await slack.command("/okr digest")
    assert digest.status == 200
    answer = digest.json()
    assert answer["response_type"] == "ephemeral"
    assert "one-page checkout" in json.dumps(answer)
