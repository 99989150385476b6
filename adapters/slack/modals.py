"""Neutral forms to Slack modals, and form errors to a ``view_submission`` answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.slack.blocks import ELLIPSIS, plain, plain_truncate
from adapters.slack.inbound import pack_metadata
from bot.replies import Form, FormInput, InputKind

MAX_TITLE = 24
MAX_SUBMIT = 24
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_INPUT = 3000
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_METADATA = 3000
MAX_MODAL_BLOCKS = 100
MAX_ERROR = 2000


def input_element(form_input: FormInput) -> dict[str, Any]:
    """The element inside an input block; its action id is the input's name, like the block."""
    if form_input.kind is InputKind.CHOICE and form_input.choices:
        options = [
            {
                "text": plain(choice.label, MAX_OPTION_TEXT),
                "value": choice.value[:MAX_OPTION_VALUE],
            }
            for choice in form_input.choices[:MAX_OPTIONS]
        ]
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": form_input.name,
            "options": options,
        }
        chosen = [o for o in options if o["value"] == form_input.initial]
        if chosen:
            element["initial_option"] = chosen[0]
    else:
        element = {
            "type": "plain_text_input",
            "action_id": form_input.name,
            "multiline": form_input.kind is InputKind.PARAGRAPH,
            "max_length": max(1, min(form_input.max_length, MAX_INPUT)),
        }
        if form_input.initial:
            element["initial_value"] = form_input.initial[:MAX_INPUT]
    if form_input.hint:
        element["placeholder"] = plain(form_input.hint, MAX_PLACEHOLDER)
    return element


def input_block(form_input: FormInput) -> dict[str, Any]:
    """An input block named after the input, so Slack's inline errors land next to it."""
    return {
        "type": "input",
        "block_id": form_input.name,
        "optional": not form_input.required,
        "label": plain(form_input.label, MAX_LABEL),
        "element": input_element(form_input),
    }


def modal(form: Form, *, channel_id: str) -> dict[str, Any]:
    """A modal view for ``form``, opened from ``channel_id`` (both handed back on submission)."""
    blocks = [input_block(i) for i in form.inputs[:MAX_MODAL_BLOCKS]]
    if len(form.inputs) > MAX_MODAL_BLOCKS:
        left_out = len(form.inputs) - (MAX_MODAL_BLOCKS - 1)
        blocks = blocks[: MAX_MODAL_BLOCKS - 1]
        blocks.append(
            {"type": "context", "elements": [plain(f"{ELLIPSIS}and {left_out} more", 100)]}
        )
    metadata = pack_metadata(channel_id, form.context)
    if len(metadata) > MAX_METADATA:  # a context that does not fit is dropped, not cut
        metadata = pack_metadata(channel_id, "")
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": plain(plain_truncate(form.title, MAX_TITLE), MAX_TITLE),
        "submit": plain(form.submit_label, MAX_SUBMIT),
        "close": plain("Cancel", MAX_SUBMIT),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def errors_answer(form_errors: Mapping[str, str]) -> dict[str, Any]:
    """Answer a ``view_submission`` with messages shown next to the named inputs."""
    return {
        "response_action": "errors",
        "errors": {name: plain_truncate(text, MAX_ERROR) for name, text in form_errors.items()},
    }
