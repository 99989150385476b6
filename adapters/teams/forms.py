"""Forms on Teams, both ways: a form's inputs on an Adaptive Card, and its submission read.

A card's Action.Execute (a Universal Action; cards sent before them used Action.Submit) sends
back its ``data`` merged with the inputs' values, so okrbot names what it needs in the data
with keys of its own (the form, its context, a button, its value, the channel a form sent to a
1:1 chat was asked for) that no input is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.payloads import text_of
from adapters.teams.markup import MAX_INPUT, MAX_TITLE, Card, cut, execute, text_block
from bot.events import ChatEvent, EventKind
from bot.replies import Form, FormInput, InputKind

FORM_KEY = "okrbot_form"
CONTEXT_KEY = "okrbot_context"
ACTION_KEY = "okrbot_action"
VALUE_KEY = "okrbot_value"
ORIGIN_KEY = "okrbot_channel"  # where a form sent to someone's 1:1 chat was asked for


def input_element(form_input: FormInput) -> Card:
    """An Input.Text or Input.ChoiceSet named after the input, with Teams' own validation."""
    common: Card = {
        "id": form_input.name,
        "label": form_input.label,
        "isRequired": form_input.required,
    }
    if form_input.required:
        common["errorMessage"] = f"Please fill in: {form_input.label}"
    if form_input.kind is InputKind.CHOICE and form_input.choices:
        element: Card = {
            "type": "Input.ChoiceSet",
            **common,
            "style": "compact",
            "choices": [{"title": c.label, "value": c.value} for c in form_input.choices],
        }
        if any(c.value == form_input.initial for c in form_input.choices):
            element["value"] = form_input.initial
        return element
    element = {
        "type": "Input.Text",
        **common,
        "isMultiline": form_input.kind is InputKind.PARAGRAPH,
        "maxLength": max(1, min(form_input.max_length, MAX_INPUT)),
    }
    if form_input.hint:
        element["placeholder"] = form_input.hint
    if form_input.initial:
        element["value"] = form_input.initial[:MAX_INPUT]
    return element


def form_elements(form: Form, *, origin: str = "", titled: bool = True) -> tuple[list[Card], Card]:
    """The inputs of a form and the action that submits them (with its id and context).

    ``origin`` is the channel the form was asked for in, when it is shown elsewhere (in the
    person's 1:1 chat): the submission then counts as made in that channel.
    """
    elements = [text_block(cut(form.title, MAX_TITLE), weight="Bolder", size="Medium")]
    elements = elements if titled else []
    elements += [input_element(i) for i in form.inputs]
    data = {FORM_KEY: form.form_id, CONTEXT_KEY: form.context}
    if origin:
        data[ORIGIN_KEY] = origin
    return elements, execute(form.submit_label, form.form_id, data, "positive")


def submission(data: Any, base: dict[str, Any]) -> ChatEvent | None:
    """A card's action (Execute or Submit): its data and inputs arrive merged in one object."""
    if not isinstance(data, Mapping) or not base["user_id"]:
        return None
    form_id, action_id = text_of(data, FORM_KEY), text_of(data, ACTION_KEY)
    origin = text_of(data, ORIGIN_KEY)
    if origin and origin != base["channel_id"]:  # answered in private, asked for in a channel
        base = {**base, "channel_id": origin, "is_direct": False, "thread_id": ""}
    if form_id:
        reserved = {FORM_KEY, CONTEXT_KEY, ACTION_KEY, VALUE_KEY, ORIGIN_KEY}
        values = {
            str(name): text
            for name, value in data.items()
            if name not in reserved and (text := _input_value(value)) is not None
        }
        return ChatEvent(
            **base,
            kind=EventKind.FORM_SUBMISSION,
            form_id=form_id,
            form_values=values,
            form_context=text_of(data, CONTEXT_KEY),
        )
    if action_id:
        return ChatEvent(
            **base,
            kind=EventKind.BUTTON,
            action_id=action_id,
            action_value=text_of(data, VALUE_KEY),
        )
    return None


def _input_value(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None
