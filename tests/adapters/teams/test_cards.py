"""Neutral replies to Teams messages and Adaptive Cards: layout, escaping, size."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft6Validator

from adapters.teams import cards
from bot.replies import (
    Button,
    ButtonStyle,
    Choice,
    Field,
    Form,
    FormInput,
    InputKind,
    Reply,
    Section,
)

CARDS = Draft6Validator(
    json.loads(
        (Path(__file__).parents[2] / "schemas/teams/adaptive-card.1.5.schema.json").read_text()
    )
)
"""Adaptive Cards 1.5, Microsoft's published schema."""


def content(reply: Reply) -> dict[str, object]:
    [attachment] = cards.message(reply)["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]  # type: ignore[no-any-return]


def test_a_simple_reply_is_a_text_message() -> None:
    message = cards.message(Reply("Saved your learning story."))
    assert message == {
        "type": "message",
        "textFormat": "markdown",
        "text": "Saved your learning story.",
    }


def test_typed_tags_and_markdown_reach_nobody_and_render_as_typed() -> None:
    text = cards.message(Reply("<at>Ada</at> **won** & _all_ [x](http://evil)"))["text"]
    assert "<" not in text and ">" not in text and "*" not in text and "_" not in text
    assert text.startswith("&lt;at&gt;Ada&lt;/at&gt; &#42;&#42;won&#42;&#42; &amp; ")
    assert "entities" not in cards.message(Reply("<at>Ada</at>"))


def test_typed_tags_in_cards_are_broken_invisibly() -> None:
    card = content(Reply("Shout-out", sections=(Section(text="<at>Ada</at> 1 < 2"),)))
    assert card["body"][1]["text"] == "<\u2060at>Ada<\u2060/at> 1 < 2"


def test_list_markers_typed_at_line_starts_stay_text() -> None:
    text = cards.message(Reply("- one\n2. two"))["text"]
    assert text == "&#45; one\n\n2&#46; two"


def test_sections_fields_and_buttons_make_a_card() -> None:
    reply = Reply(
        "This week",
        sections=(
            Section(title="Checkout", text="Two *stories*", fields=(Field("Result", "validated"),)),
        ),
        buttons=(Button("Answer", "retro.answer_form", "7", ButtonStyle.PRIMARY),),
    )
    card = content(reply)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    body = card["body"]
    assert body[0] == {"type": "TextBlock", "text": "This week", "wrap": True}
    assert body[1]["text"] == "Checkout" and body[1]["weight"] == "Bolder"
    assert body[2]["text"] == "Two \\*stories\\*"
    assert body[3] == {"type": "FactSet", "facts": [{"title": "Result", "value": "validated"}]}
    assert card["actions"] == [
        {
            "type": "Action.Execute",  # a Universal Action, answered with the card as it is now
            "title": "Answer",
            "verb": "retro.answer_form",
            "data": {"okrbot_action": "retro.answer_form", "okrbot_value": "7"},
            "style": "positive",
        }
    ]
    assert cards.message(reply)["summary"] == "This week"
    CARDS.validate(card)


def test_a_form_is_a_card_with_inputs_that_submit_its_id_and_context() -> None:
    form = Form(
        "story_learning",
        "Tell a learning story",
        (
            FormInput("hypothesis", "What did you believe?", hint="We believed…"),
            FormInput("learned", "What did you learn?", InputKind.PARAGRAPH, max_length=2000),
            FormInput(
                "result",
                "Result",
                InputKind.CHOICE,
                required=False,
                initial="inconclusive",
                choices=(Choice("validated", "Validated"), Choice("inconclusive", "Inconclusive")),
            ),
        ),
        context="team:3",
    )
    card = content(Reply("Tell me what you learned.", form=form))
    line, paragraph, choice = card["body"][2:]
    assert line["type"] == "Input.Text" and line["id"] == "hypothesis"
    assert line["isRequired"] is True and line["errorMessage"]
    assert line["placeholder"] == "We believed…" and line["isMultiline"] is False
    assert paragraph["isMultiline"] is True and paragraph["maxLength"] == 2000
    assert choice["type"] == "Input.ChoiceSet" and choice["value"] == "inconclusive"
    assert choice["choices"][0] == {"title": "Validated", "value": "validated"}
    assert choice["isRequired"] is False and "errorMessage" not in choice
    [submit] = card["actions"]
    assert submit["type"] == "Action.Execute" and submit["verb"] == "story_learning"
    assert submit["data"] == {"okrbot_form": "story_learning", "okrbot_context": "team:3"}
    CARDS.validate(card)


def test_a_huge_text_message_is_cut_visibly_to_fit() -> None:
    message = cards.message(Reply("&" * 200_000))
    assert cards.size(message) <= cards.MAX_MESSAGE_BYTES
    assert message["text"].endswith("…")


def test_a_huge_card_is_cut_visibly_to_fit() -> None:
    sections = tuple(Section(title=f"Team {n}", text="*" * 5000) for n in range(30))
    message = cards.message(Reply("Digest", sections=sections))
    assert cards.size(message) <= cards.MAX_MESSAGE_BYTES
    texts = [b["text"] for b in message["attachments"][0]["content"]["body"]]
    assert "Team 29" in texts and any(t.endswith("…") for t in texts)
    assert not any(t.endswith("\\…") for t in texts)  # no escape cut in half
    CARDS.validate(message["attachments"][0]["content"])


def test_the_notification_preview_is_escaped_like_the_card() -> None:
    name = "<at>Eve</at> **Boss** [x](https://evil.example)"
    reply = Reply(f"{name} thanked Checkout", (Section(text="details"),))
    message = cards.message(reply)
    summary = message["summary"]
    assert summary == message["attachments"][0]["content"]["body"][0]["text"]
    assert "<at>" not in summary and "**" not in summary and "[x](" not in summary
