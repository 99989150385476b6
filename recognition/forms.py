"""The shout-out form: a Slack modal, a Teams card, a hint on the console."""

from __future__ import annotations

from enum import StrEnum

from bot.replies import Choice, Form, FormInput, InputKind
from recognition import commands, texts
from storage.recognition import Behaviour

SHOUT_OUT = "shoutout"


class ShoutOutAction(StrEnum):
    """The buttons of a held-back draft, and the one that opens the form."""

    POST_ANYWAY = "shoutout.post_anyway"
    DISCARD = "shoutout.discard"
    OPEN_FORM = "shoutout.open_form"


def shout_out(channel_id: str) -> Form:
    """Build the form that gives a shout-out, remembering the channel it was opened in."""
    return Form(
        form_id=SHOUT_OUT,
        title=texts.FORM_TITLE,
        submit_label=texts.FORM_SUBMIT,
        context=channel_id,
        inputs=(
            FormInput(commands.TEAMS_INPUT, texts.FORM_TEAMS, hint=texts.FORM_TEAMS_HINT),
            FormInput(
                commands.BEHAVIOUR_INPUT,
                texts.FORM_BEHAVIOUR,
                InputKind.CHOICE,
                required=False,
                choices=tuple(Choice(b.value, texts.BEHAVIOUR_LABELS[b]) for b in Behaviour),
            ),
            FormInput(
                commands.NARRATIVE_INPUT,
                texts.FORM_NARRATIVE,
                InputKind.PARAGRAPH,
                hint=texts.FORM_NARRATIVE_HINT,
                max_length=commands.MAX_TEXT,
            ),
            FormInput(
                commands.PRIVATE_INPUT,
                texts.FORM_PRIVATE,
                InputKind.CHOICE,
                required=False,
                initial="no",
                choices=(
                    Choice("no", texts.FORM_PRIVATE_NO),
                    Choice("yes", texts.FORM_PRIVATE_YES),
                ),
            ),
        ),
    )
