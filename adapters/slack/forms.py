"""Forms on Slack, both ways: neutral forms to modals (and their errors), submissions read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.payloads import text_of
from adapters.slack.blocks import ELLIPSIS, plain, plain_truncate
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


def labels(view: Any) -> dict[str, str]:
    """The label of each input of a submitted modal, by name (from ``view.blocks``)."""
    blocks = view.get("blocks") if isinstance(view, Mapping) else None
    found: dict[str, str] = {}
    for block in blocks if isinstance(blocks, list) else ():
        if isinstance(block, Mapping) and block.get("type") == "input":
            name, label = text_of(block, "block_id"), text_of(block, "label", "text")
            if name and label:
                found[name] = label
    return found


def title(view: Any) -> str:
    """The title of a submitted modal, or nothing."""
    return text_of(view, "title", "text")


def form_values(state: Any) -> dict[str, str]:
    """Flatten ``view.state.values`` to {block_id: value} (inputs are named by block id)."""
    values: dict[str, str] = {}
    blocks = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(blocks, Mapping):
        return values
    for block_id, elements in blocks.items():
        if isinstance(elements, Mapping):
            for element in elements.values():
                if isinstance(element, Mapping):
                    values[str(block_id)] = _element_value(element)
                    break
    return values


def _element_value(element: Mapping[str, Any]) -> str:
    if isinstance(element.get("selected_option"), Mapping):
        return text_of(element, "selected_option", "value")
    options = element.get("selected_options")
    if isinstance(options, list):
        return ",".join(text_of(o, "value") for o in options if isinstance(o, Mapping))
    for key in (
        "value",
        "selected_date",
        "selected_time",
        "selected_user",
        "selected_channel",
        "selected_conversation",
    ):
        if isinstance(element.get(key), str):
            return str(element[key])
    return ""


def pack_metadata(channel_id: str, context: str) -> str:
    """What a modal carries in ``private_metadata``: where it was opened, and the form context."""
    return json.dumps({"channel": channel_id, "context": context}, separators=(",", ":"))


def unpack_metadata(metadata: str) -> tuple[str, str]:
    """Read ``private_metadata`` back as (channel, context); foreign text is all context."""
    try:
        packed = json.loads(metadata) if metadata.startswith("{") else None
    except ValueError:
        packed = None
    if isinstance(packed, dict) and set(packed) == {"channel", "context"}:
        return str(packed["channel"]), str(packed["context"])
    return "", metadata
