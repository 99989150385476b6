"""Replies read well as plain text and say who sees them."""

from adapters.console import render, render_delivery
from adapters.console.rendering import render_form_errors
from bot.replies import (
    Button,
    Choice,
    Field,
    Form,
    FormInput,
    InputKind,
    Reply,
    Section,
    Visibility,
)


def test_a_private_reply_says_only_you_see_it():
    assert render(Reply("Saved your story.")) == "okrbot (only you see this): Saved your story."


def test_a_channel_reply_names_the_channel():
    reply = Reply("Team Checkout is here.", visibility=Visibility.CHANNEL)
    assert render(reply, place="#C1") == "okrbot in #C1: Team Checkout is here."


def test_sections_show_titles_text_and_fields():
    reply = Reply(
        "Your digest",
        sections=(
            Section(title="Learning", text="We believed X.\nWe learned Y."),
            Section(fields=(Field("KR1", "Completion to 70%"), Field("KR2", "two\nlines"))),
        ),
    )
    assert render(reply).splitlines() == [
        "okrbot (only you see this): Your digest",
        "  Learning",
        "    We believed X.",
        "    We learned Y.",
        "  KR1: Completion to 70%",
        "  KR2: two",
        "    lines",
    ]


def test_buttons_are_numbered_for_press():
    reply = Reply("Post it?", buttons=(Button("Post anyway", "a"), Button("Discard", "b")))
    assert render(reply).splitlines()[-1] == "  [1] Post anyway   [2] Discard"
    assert "[3] Post anyway" in render(reply, first_button=3)


def test_user_text_is_shown_verbatim():
    text = "<!channel> *bold* & <@U2> `code`"
    assert text in render(Reply(text, visibility=Visibility.CHANNEL), place="#C1")


def test_a_form_shows_its_inputs_and_the_line_to_type():
    form = Form(
        "story_learning",
        "Tell a learning story",
        (
            FormInput("hypothesis", "What did we believe?", hint="We believed that ..."),
            FormInput("learned", "What did we learn?", InputKind.PARAGRAPH),
            FormInput(
                "result",
                "Result",
                InputKind.CHOICE,
                required=False,
                choices=(Choice("validated", "Yes"), Choice("invalidated", "No")),
            ),
        ),
    )
    lines = render(Reply("Tell a learning story", form=form)).splitlines()
    assert "  Form: Tell a learning story" in lines
    assert "    hypothesis: What did we believe? (e.g. We believed that ...)" in lines
    assert "    result: Result (one of: validated, invalidated) [optional]" in lines
    assert "  To fill it in, type: !form story_learning hypothesis=... | learned=..." in lines


def test_deliveries_name_where_they_went():
    reply = Reply("Shout-out to Checkout")
    assert render_delivery(reply, target="#C2") == "okrbot → #C2: Shout-out to Checkout"
    assert render_delivery(reply, target="@U3").startswith("okrbot → @U3 (direct):")


def test_form_errors_are_listed_by_input():
    assert render_form_errors({"learned": "Please fill this in."}) == (
        "  learned: Please fill this in."
    )
