"""Cards kept current for everyone through Universal Actions, over HTTP, on both hosts.

A card's buttons and forms are ``Action.Execute``; Teams sends them as ``adaptiveCard/action``
invokes, and okrbot answers with the card as it is now and replaces the card in the
conversation, so that a draft posted or discarded, or a form answered, reads so for everyone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

from recognition import texts as recognition_texts
from retrospectives.okrs.concerns import texts as concern_texts
from storage.okr import LearningStory
from storage.recognition import ShoutOut
from tests.adapters.teams.fake_connector import ConnectorCall
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, personal_chat
from tests.support.rows import count
from tests.support.transcripts import shows

CARD_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "schemas/teams/adaptive-card.1.5.schema.json").read_text()
)
ADA_CHAT = "a:1chat-with-29:1ada-account"
GRACE_CHAT = personal_chat("grace")


def content(call: ConnectorCall) -> dict[str, Any]:
    card: dict[str, Any] = call.body["attachments"][0]["content"]
    return card


def valid_cards(rig: TeamsRig) -> None:
    """Every card okrbot sent or updated is an Adaptive Card 1.5 (the published schema)."""
    for call in rig.fake.calls:
        for attachment in call.body.get("attachments", []):
            Draft6Validator(CARD_SCHEMA).validate(attachment["content"])


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    [found] = [a for a in card.get("actions", []) if a["title"] == title]
    assert found["type"] == "Action.Execute" and found["verb"]
    return found


def execute(
    rig: TeamsRig, card: ConnectorCall, chosen: dict[str, Any], who: str, **inputs: str
) -> dict[str, Any]:
    """The invoke Teams sends when someone presses ``chosen`` on the card ``card`` posted."""
    return rig.activity(
        "invoke_action",
        id=f"f:invoke-{card.activity_id}-{chosen['verb']}",
        replyToId=card.activity_id,
        conversation={
            "conversationType": "personal",
            "tenantId": "tenant-0001",
            "id": card.conversation_id,
        },
        value={
            "action": {
                "type": "Action.Execute",
                "verb": chosen["verb"],
                "data": {**chosen["data"], **inputs},
            },
            "trigger": "manual",
        },
        **{"from": PEOPLE[who]},
    )


async def invoked(rig: TeamsRig, invoke: dict[str, Any]) -> dict[str, Any]:
    answer = await rig.post(invoke)
    assert answer.status == 200, answer.body
    body: dict[str, Any] = json.loads(answer.body)
    return body


async def test_a_held_back_draft_reads_posted_or_discarded_once_acted_on(
    teams_sqlite: TeamsRig,
) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    await rig.post(rig.in_channel("okr team create Checkout"))
    await rig.post(rig.in_personal_chat("shoutout Checkout for hitting 120% of the KR"))
    draft = fake.to(GRACE_CHAT)[-1]
    assert action(content(draft), recognition_texts.POST_ANYWAY)["style"] == "positive"

    before = len(fake.posted())
    post_anyway = action(content(draft), recognition_texts.POST_ANYWAY)
    answer = await invoked(rig, execute(rig, draft, post_anyway, "grace"))

    # The person who acted sees the new card at once; everyone with the chat open, too.
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    [update] = fake.updated()
    assert update.conversation_id == GRACE_CHAT and update.reply_to == draft.activity_id
    assert content(update) == answer["value"]
    thanks = recognition_texts.posted("Checkout", private=False)
    assert shows(answer["value"]["body"][0]["text"], thanks)
    assert "actions" not in answer["value"]  # nothing left to press
    assert len(fake.posted()) == before  # the thanks replaced the draft, no new message
    assert await count(rig, ShoutOut) == 1

    # Another draft, discarded: the card says so and offers nothing more.
    await rig.post(rig.in_personal_chat("shoutout Checkout for beating the quota"))
    second = fake.to(GRACE_CHAT)[-1]
    discard = action(content(second), recognition_texts.DISCARD)
    answer = await invoked(rig, execute(rig, second, discard, "grace"))
    assert answer["value"]["body"][0]["text"] == recognition_texts.DRAFT_DISCARDED
    assert fake.updated()[-1].reply_to == second.activity_id
    assert await count(rig, ShoutOut) == 1
    valid_cards(rig)


async def test_a_form_answered_becomes_its_confirmation_and_a_mistake_keeps_the_form(
    teams_sqlite: TeamsRig,
) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    await rig.post(rig.in_channel("okr team create Checkout"))
    await rig.post(rig.in_channel("story learning"))
    form = fake.to(ADA_CHAT)[-1]
    [save] = [a for a in content(form)["actions"] if "okrbot_form" in a["data"]]
    assert save["type"] == "Action.Execute" and save["data"]["okrbot_channel"] == CHANNEL

    # A result that is not one of the choices: the card stays, with Teams' error shown.
    wrong = execute(rig, form, save, "ada", hypothesis="Reviews", learned="x", result="maybe")
    answer = await invoked(rig, wrong)
    assert answer["statusCode"] == 400
    assert answer["type"] == "application/vnd.microsoft.error"
    assert not fake.updated()

    right = execute(
        rig, form, save, "ada", hypothesis="Reviews build trust", learned="Buyers read them"
    )
    right["id"] += "-again"
    answer = await invoked(rig, right)
    assert await count(rig, LearningStory) == 1
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    [update] = [u for u in fake.updated() if u.reply_to == form.activity_id]
    assert not [e for e in content(update)["body"] if e["type"].startswith("Input.")]
    assert content(update) == answer["value"]
    valid_cards(rig)


async def test_a_channel_card_is_not_replaced_by_one_persons_private_answer(
    teams_sqlite: TeamsRig,
) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    await rig.post(rig.in_channel("okr team create Checkout"))
    await rig.post(rig.in_channel("okr concern Handle time: people close tickets early team"))
    await rig.deliver()
    card = [c for c in fake.to(CHANNEL) if c.body.get("attachments")][-1]
    voice = action(content(card), concern_texts.VOICE_BUTTON)
    invoke = execute(rig, card, voice, "grace")
    invoke["conversation"] = {
        "conversationType": "channel",
        "tenantId": "tenant-0001",
        "id": f"{CHANNEL};messageid={card.activity_id}",
    }
    answer = await invoked(rig, invoke)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert not fake.updated()  # the channel's card is everyone's: it stays
    assert fake.to("a:1chat-with-29:1grace-account")  # Grace's confirmation is hers alone
    valid_cards(rig)
