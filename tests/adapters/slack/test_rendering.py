"""Replies become Block Kit within Slack's limits, and nothing a user typed can ping anyone."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack import blocks, forms
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


def test_escaping_defuses_mentions_and_keeps_the_text_readable() -> None:
    assert blocks.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def mrkdwn_texts(node: Any) -> list[str]:
    """Every string Slack parses for markup: mrkdwn text objects (plain_text is never parsed)."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [t for value in node.values() for t in mrkdwn_texts(value)]


def test_no_mrkdwn_in_a_message_contains_a_live_mention() -> None:
    typed = "hey <!channel> <!here> <@U123> <#C1|x> & more"
    reply = Reply(
        typed,
        sections=(Section(text=typed, title=typed, fields=(Field(typed, typed),)),),
        buttons=(Button(typed, "a", typed),),
    )
    rendered = blocks.message(reply)
    parsed = [rendered["text"], *mrkdwn_texts(rendered["blocks"])]
    assert len(parsed) == 4
    assert all("<" not in text and ">" not in text for text in parsed)
    assert all("&lt;!channel&gt;" in text for text in parsed)


def test_a_long_text_is_split_into_sections_of_at_most_3000_characters() -> None:
    text = ("word " * 1000 + "&" * 1000).strip()
    rendered = blocks.message(Reply(text))["blocks"]
    pieces = [b["text"]["text"] for b in rendered]
    assert all(len(p) <= blocks.MAX_SECTION_TEXT for p in pieces)
    assert "".join(pieces) == blocks.escape(text)  # nothing lost, no entity cut in half


def test_fields_go_ten_to_a_section_and_each_is_cut_visibly() -> None:
    fields = tuple(Field(f"label {i}", "x" * 2500) for i in range(23))
    rendered = blocks.message(Reply("t", sections=(Section(fields=fields),)))["blocks"]
    field_blocks = [b for b in rendered if "fields" in b]
    assert [len(b["fields"]) for b in field_blocks] == [10, 10, 3]
    texts = [f["text"] for b in field_blocks for f in b["fields"]]
    assert all(len(t) <= blocks.MAX_FIELD_TEXT and t.endswith("…") for t in texts)


def test_more_than_fifty_blocks_are_truncated_visibly() -> None:
    sections = tuple(Section(text=f"story {i}") for i in range(80))
    rendered = blocks.message(Reply("digest", sections=sections))["blocks"]
    assert len(rendered) == blocks.MAX_MESSAGE_BLOCKS
    assert rendered[-1]["type"] == "context"
    assert rendered[-1]["elements"][0]["text"] == "…and 32 more"


def test_buttons_become_actions_with_unique_action_ids() -> None:
    buttons = (
        Button("Co-sign", "shoutout.cosign", "1", ButtonStyle.PRIMARY),
        Button("Co-sign", "shoutout.cosign", "2"),
    )
    (actions,) = [
        b for b in blocks.message(Reply("t", buttons=buttons))["blocks"] if b["type"] == "actions"
    ]
    assert [e["action_id"] for e in actions["elements"]] == ["shoutout.cosign", "shoutout.cosign#2"]
    assert actions["elements"][0]["style"] == "primary"
    assert "style" not in actions["elements"][1]


def learning_form() -> Form:
    return Form(
        form_id="story_learning",
        title="A learning story with a very long title",
        context="C1",
        inputs=(
            FormInput("hypothesis", "What did we believe?", hint="We believed that ..."),
            FormInput("learned", "What did we learn?", InputKind.PARAGRAPH, initial="a lot"),
            FormInput(
                "result",
                "Result",
                InputKind.CHOICE,
                required=False,
                initial="invalidated",
                choices=(Choice("validated", "Validated"), Choice("invalidated", "Invalidated")),
            ),
        ),
    )


def test_a_form_becomes_a_modal_with_inputs_named_like_the_form() -> None:
    view = forms.modal(learning_form(), channel_id="C9")
    assert view["type"] == "modal" and view["callback_id"] == "story_learning"
    assert len(view["title"]["text"]) <= 24 and view["title"]["text"].endswith("…")
    assert json.loads(view["private_metadata"]) == {"channel": "C9", "context": "C1"}
    hypothesis, learned, result = view["blocks"]
    assert hypothesis["block_id"] == hypothesis["element"]["action_id"] == "hypothesis"
    assert hypothesis["optional"] is False
    assert hypothesis["element"]["placeholder"]["text"] == "We believed that ..."
    assert learned["element"]["multiline"] is True
    assert learned["element"]["initial_value"] == "a lot"
    assert result["optional"] is True
    assert result["element"]["type"] == "static_select"
    assert result["element"]["initial_option"]["value"] == "invalidated"


def test_a_modal_never_has_more_than_100_blocks() -> None:
    inputs = tuple(FormInput(f"i{n}", f"Input {n}") for n in range(130))
    view = forms.modal(Form("f", "Many", inputs), channel_id="C1")
    assert len(view["blocks"]) == forms.MAX_MODAL_BLOCKS


def test_form_errors_answer_the_submission_inline() -> None:
    assert forms.errors_answer({"learned": "Please fill this in."}) == {
        "response_action": "errors",
        "errors": {"learned": "Please fill this in."},
    }


def test_the_home_tab_holds_up_to_100_blocks() -> None:
    sections = tuple(Section(text=f"team {i}") for i in range(150))
    view = blocks.home_view([Reply("Your teams", sections=sections)])
    assert view["type"] == "home" and len(view["blocks"]) == blocks.MAX_VIEW_BLOCKS
