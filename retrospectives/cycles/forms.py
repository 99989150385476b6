"""The retrospective's answer form and the button that opens it."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.replies import Choice, Form, FormInput, InputKind
from retrospectives.cycles import texts
from retrospectives.cycles.questions import Question
from storage.retro import RetroCycle, RetroParticipant

ANSWERS = "retro_answers"


class RetroAction(StrEnum):
    """The buttons of a retrospective prompt."""

    ANSWER_FORM = "retro.answer_form"


def answers(
    cycle: RetroCycle, participant: RetroParticipant, remaining: Sequence[Question]
) -> Form:
    """The form with a person's remaining questions and their choice to stay anonymous."""
    anonymity = FormInput(
        "anonymous",
        texts.anonymous_choice(cycle.anonymity_min),
        InputKind.CHOICE,
        required=False,
        choices=(Choice("no", texts.CHOICE_NAMED), Choice("yes", texts.CHOICE_ANONYMOUS)),
        initial="yes" if participant.anonymous else "no",
    )
    inputs = (
        *(FormInput(q.key, q.text, InputKind.PARAGRAPH, required=False) for q in remaining),
        anonymity,
    )
    return Form(ANSWERS, texts.FORM_TITLE_RETRO, inputs, context=str(cycle.id))
