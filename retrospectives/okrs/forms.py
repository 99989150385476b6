"""The forms for stories: a Slack modal, a Teams card, a hint on the console."""

from __future__ import annotations

from enum import StrEnum

from bot.replies import Choice, Form, FormInput, InputKind
from retrospectives import texts

LEARNING = "story_learning"
IMPACT = "story_impact"
OUTCOME = "story_outcome"


class StoryAction(StrEnum):
    """The buttons that open a story's form."""

    ADD_OUTCOME = "story.add_outcome"
    OPEN_LEARNING = "story.open_learning"
    OPEN_IMPACT = "story.open_impact"


_RESULTS = (
    Choice("validated", "Validated: it worked as we thought"),
    Choice("invalidated", "Invalidated: it did not, and we learned why"),
    Choice("inconclusive", "Inconclusive: we can't tell yet"),
)


def learning(channel_id: str) -> Form:
    return Form(
        form_id=LEARNING,
        title=texts.FORM_TITLE_LEARNING,
        context=channel_id,
        inputs=(
            FormInput("hypothesis", "What did we believe?", hint="We believed that ..."),
            FormInput("tried", "What did we try?", InputKind.PARAGRAPH, required=False),
            FormInput("evidence", "What evidence did we see?", InputKind.PARAGRAPH, False),
            FormInput("learned", "What did we learn?", InputKind.PARAGRAPH),
            FormInput("result", "Result", InputKind.CHOICE, required=False, choices=_RESULTS),
            FormInput("adaptation", "What will we do differently?", InputKind.PARAGRAPH, False),
            FormInput("kr", "Key result it relates to", required=False, hint="KR1"),
        ),
    )


def impact(channel_id: str) -> Form:
    return Form(
        form_id=IMPACT,
        title=texts.FORM_TITLE_IMPACT,
        context=channel_id,
        inputs=(
            FormInput("who", "Who was affected?", hint="Returning buyers on mobile"),
            FormInput("before", "What did they do before?", InputKind.PARAGRAPH),
            FormInput("after", "What do they do now?", InputKind.PARAGRAPH),
            FormInput("evidence", "How do we know?", InputKind.PARAGRAPH, required=False),
            FormInput("kr", "Key result it relates to", required=False, hint="KR1"),
        ),
    )


def outcome(channel_id: str) -> Form:
    return Form(
        form_id=OUTCOME,
        title=texts.FORM_TITLE_OUTCOME,
        context=channel_id,
        inputs=(
            FormInput(
                "outcome",
                "What do customers do differently now, and how do you know?",
                InputKind.PARAGRAPH,
            ),
        ),
    )
