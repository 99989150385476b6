"""Guardrails: what must not get worse while a team pushes a key result, and how it is shown.

A key result is a number a team pushes; pushed alone, a number gets optimised at the expense of
what it stands for. So a key result travels with its guardrail wherever it is shown, and one
without a guardrail is shown as such to its leads, who are asked for one.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.okr import KeyResult

MAX_GUARDRAIL = 500

HELP_KR_GUARDRAIL = "name what must not get worse while the team pushes a key result"
KR_ADD_USAGE = (
    "Write the key result, then its guardrail after a bar, for example: /okr kr add Checkout "
    "completion reaches 70% | guardrail: refund requests do not rise"
)
GUARDRAIL_USAGE = (
    "Name the key result and what must not get worse, for example: /okr kr guardrail KR1 "
    "refund requests do not rise"
)
GUARDRAIL_EMPTY = (
    "Write the guardrail itself: what must not get worse while the team pushes this result "
    "(quality, harm to customers, people's wellbeing)."
)
GUARDRAIL_TOO_LONG = f"Please keep a guardrail under {MAX_GUARDRAIL} characters."
NO_GUARDRAIL = "no guardrail yet"
KEY_RESULTS_TITLE = "key results and their guardrails"


def ask_for_guardrail(code: str) -> str:
    """The one question a key result recorded without a guardrail gets."""
    return (
        f"What must not get worse while the team pushes {code}: quality, harm to customers, "
        "people's wellbeing? A number pushed alone gets optimised at the expense of what it "
        f"stands for. Name it with /okr kr guardrail {code} <what must not get worse>."
    )


def guardrail_set(team: str, code: str, guardrail: str) -> str:
    return f"{code} of {team} now carries its guardrail: {guardrail}."


def unknown_key_result(team: str, code: str) -> str:
    return f"{team} has no {code}. See its key results with /okr kr."


def beside(key_result: KeyResult, *, for_leads: bool) -> str:
    """A key result's guardrail as shown beside it; nothing for others when it has none."""
    if key_result.guardrail:
        return f"guardrail: {key_result.guardrail}"
    if for_leads:
        return f"{NO_GUARDRAIL} (add one with /okr kr guardrail {key_result.code} <text>)"
    return ""


def line(key_result: KeyResult, *, for_leads: bool) -> str:
    """``KR1 Completion reaches 70% (guardrail: refunds do not rise)``."""
    shown = beside(key_result, for_leads=for_leads)
    return f"{key_result.code} {key_result.text}" + (f" ({shown})" if shown else "")


def cited(key_result: KeyResult, *, for_leads: bool) -> str:
    """What a story's saved reply says of the key result it cites."""
    return f"It cites {line(key_result, for_leads=for_leads)}."


def question_context(key_results: Sequence[KeyResult]) -> str:
    """What the retrospective's metric question adds: the key results and their guardrails."""
    if not key_results:
        return ""
    named = "; ".join(
        f"{k.code} {k.text}" + (f" (guardrail: {k.guardrail})" if k.guardrail else "")
        for k in key_results
    )
    return f"Our key results: {named}."
