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
    Choice("validated", texts.CHOICE_VALIDATED),
    Choice("invalidated", texts.CHOICE_INVALIDATED),
    Choice("inconclusive", texts.CHOICE_INCONCLUSIVE),
)


def learning(channel_id: str) -> Form:
    return Form(
        form_id=LEARNING,
        title=texts.FORM_TITLE_LEARNING,
        context=channel_id,
        inputs=(
            FormInput("hypothesis", texts.LABEL_HYPOTHESIS, hint=texts.HINT_HYPOTHESIS),
            FormInput("tried", texts.LABEL_TRIED, InputKind.PARAGRAPH, required=False),
            FormInput("evidence", texts.LABEL_EVIDENCE, InputKind.PARAGRAPH, False),
            FormInput("learned", texts.LABEL_LEARNED, InputKind.PARAGRAPH),
            FormInput(
                "result", texts.LABEL_RESULT, InputKind.CHOICE, required=False, choices=_RESULTS
            ),
            FormInput("adaptation", texts.LABEL_ADAPTATION, InputKind.PARAGRAPH, False),
            FormInput("kr", texts.LABEL_KR, required=False, hint=texts.HINT_KR),
        ),
    )


def impact(channel_id: str) -> Form:
    return Form(
        form_id=IMPACT,
        title=texts.FORM_TITLE_IMPACT,
        context=channel_id,
        inputs=(
            FormInput("who", texts.LABEL_WHO, hint=texts.HINT_WHO),
            FormInput("before", texts.LABEL_BEFORE, InputKind.PARAGRAPH),
            FormInput("after", texts.LABEL_AFTER, InputKind.PARAGRAPH),
            FormInput("evidence", texts.LABEL_HOW_KNOWN, InputKind.PARAGRAPH, required=False),
            FormInput("kr", texts.LABEL_KR, required=False, hint=texts.HINT_KR),
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
                texts.LABEL_OUTCOME,
                InputKind.PARAGRAPH,
            ),
        ),
    )
