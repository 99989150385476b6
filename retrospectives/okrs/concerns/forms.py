"""The concern forms (a Slack modal, a Teams card, a hint on the console) and their buttons."""

from __future__ import annotations

from enum import StrEnum

from bot.replies import Choice, Form, FormInput, InputKind
from retrospectives.okrs.concerns import texts

CONCERN = "concern_raise"
ANSWER = "concern_answer"


class ConcernAction(StrEnum):
    """The buttons of the concern loop."""

    OPEN_FORM = "concern.open_form"
    VOICE = "concern.voice"
    VOICE_ANONYMOUSLY = "concern.voice_anonymously"
    ANSWER = "concern.answer"


def concern(channel_id: str) -> Form:
    """The same fields as the command: metric, harm, the optional parts, who sees it."""
    return Form(
        form_id=CONCERN,
        title=texts.FORM_TITLE,
        context=channel_id,
        inputs=(
            FormInput("metric", texts.LABEL_METRIC, max_length=200),
            FormInput("harm", texts.LABEL_HARM, InputKind.PARAGRAPH),
            FormInput("drives", texts.LABEL_DRIVES, InputKind.PARAGRAPH, required=False),
            FormInput("harms", texts.LABEL_HARMS, required=False),
            FormInput("instead", texts.LABEL_INSTEAD, required=False),
            FormInput(
                "anonymous",
                texts.LABEL_ANONYMOUS,
                InputKind.CHOICE,
                choices=(Choice("no", texts.CHOICE_NAMED), Choice("yes", texts.CHOICE_ANONYMOUS)),
                initial="yes",
            ),
            FormInput(
                "visible",
                texts.LABEL_VISIBLE,
                InputKind.CHOICE,
                choices=(Choice("leads", texts.CHOICE_LEADS), Choice("team", texts.CHOICE_TEAM)),
                initial="leads",
            ),
        ),
    )


def answer(team_id: int, reference: int) -> Form:
    """A lead's answer: what the team decided, in a few words for the team."""
    return Form(
        form_id=ANSWER,
        title=texts.ANSWER_FORM_TITLE,
        context=f"{team_id}:{reference}",
        inputs=(
            FormInput(
                "decision",
                texts.LABEL_DECISION,
                InputKind.CHOICE,
                choices=(
                    Choice("kept", texts.CHOICE_KEPT),
                    Choice("changed", texts.CHOICE_CHANGED),
                    Choice("replaced", texts.CHOICE_REPLACED),
                ),
            ),
            FormInput("answer", texts.LABEL_ANSWER, InputKind.PARAGRAPH),
        ),
    )
