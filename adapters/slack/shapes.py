"""What Slack posts, as far as Bolt and okrbot read it: parsed within bounds, its shape checked.

Bolt reads a body trusting that Slack sent it: a ``user`` that is a number, ``actions`` that
are a string or ``view: null`` make it raise before any listener runs, on every retry. So the
edge parses each signed body within bounds (:mod:`bot.events`, the same way Bolt will) and
checks its shape first; a body that does not fit never reaches Bolt.

The shapes are stated as pydantic models in :mod:`adapters.slack.shape_models`, which name
what is wrong with a body. The checks below apply the same rules in plain Python
(:mod:`adapters.fitting`), so that the bodies that fit, nearly all of them, are told so without
pydantic; the models are built for a body that does not fit, to say why. Each check here mirrors
the model of the same name, and tests/adapters/slack/test_shapes.py holds them to one verdict.
"""

from __future__ import annotations

from typing import Any

from adapters.fitting import (
    Check,
    Fields,
    either,
    flag,
    ident,
    items,
    later,
    mapping,
    optional,
    text,
)
from bot.events import Unreadable, read_form, read_json

Id = ident(60)  # as shape_models.Id
OptionalText = optional(text)
OptionalId = optional(Id)
OptionalMapping = optional(mapping)

Reference = Fields({"id": OptionalId, "team_id": OptionalId, "enterprise_id": OptionalId})
Named: Check = optional(either(Id, Reference))
ResponseUrl = Fields({"response_url": OptionalText})


def _addressed() -> Fields:
    return Addressed


def _view() -> Fields:
    return View


Addressed = Fields(
    {
        "type": OptionalText,
        "enterprise": Named,
        "enterprise_id": OptionalId,
        "team": Named,
        "team_id": OptionalId,
        "user": Named,
        "user_id": OptionalId,
        "user_team": OptionalId,
        "channel": Named,
        "channel_id": OptionalId,
        "thread_ts": OptionalText,
        "subtype": OptionalText,
        "bot_id": OptionalText,
        "is_enterprise_install": optional(either(flag, text)),
        "message": optional(later(_addressed)),
        "previous_message": optional(later(_addressed)),
        "item": optional(later(_addressed)),
        "assistant_thread": optional(later(_addressed)),
        "function_execution_id": OptionalText,
        "bot_access_token": OptionalText,
        "function_data": optional(later(_addressed)),
        "execution_id": OptionalText,
        "inputs": OptionalMapping,
        "response_url": OptionalText,
        "response_urls": optional(items(ResponseUrl)),
        "view": optional(later(_view)),
        "app_installed_team_id": OptionalId,
    }
)
View = Addressed.extended(
    callback_id=OptionalText, private_metadata=OptionalText, state=OptionalMapping
)
Event = Addressed.extended(
    required=("type",),
    type=text,
    channel_type=OptionalText,
    tab=OptionalText,
    text=OptionalText,
)
# ``event`` and ``view`` may be absent, but never null: Bolt reads them with ``.get(...)``.
Envelope = Addressed.extended(
    event=Event,
    view=View,
    authorizations=optional(items(Addressed)),
    is_ext_shared_channel=optional(flag),
    callback_id=OptionalText,
    action_id=OptionalText,
)
EventCallback = Envelope.extended(
    required=("type", "event_id", "event"), type=text, event_id=Id, event=Event
)
Action = Fields(
    {"action_id": text, "value": OptionalText, "selected_option": OptionalMapping},
    frozenset({"action_id"}),
)
BlockActions = Envelope.extended(
    required=("actions",),
    actions=items(Action, at_least=1),
    trigger_id=OptionalText,
    container=OptionalMapping,
)
SubmittedView = View.extended(required=("callback_id", "type"), callback_id=text, type=text)
_Submission = Envelope.extended(
    required=("view",), view=SubmittedView, workflow_step=OptionalMapping
)


def _step_saved_with_its_step(body: Any) -> bool:
    # Bolt reads ``workflow_step`` of a submitted workflow step's view without asking.
    if not _Submission(body):
        return False
    return body["view"]["type"] != "workflow_step" or body.get("workflow_step") is not None


ViewSubmission: Check = _step_saved_with_its_step


Shortcut = Envelope.extended(required=("callback_id",), callback_id=text, trigger_id=OptionalText)
WorkflowStepEdit = Envelope.extended(
    required=("callback_id", "workflow_step"), callback_id=text, workflow_step=mapping
)
AttachmentAction = Envelope.extended(
    required=("callback_id", "actions"), callback_id=text, actions=items(mapping, at_least=1)
)

BY_TYPE: dict[str, Check] = {
    "event_callback": EventCallback,
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "view_closed": ViewSubmission,
    "message_action": Shortcut,
    "shortcut": Shortcut,
    "interactive_message": AttachmentAction,
    "workflow_step_edit": WorkflowStepEdit,
}


def parse(raw: str, content_type: str, *, clean: bool = True) -> dict[str, Any]:
    """Parse a body the way Bolt will, within bounds; raise Unreadable if it cannot be read.

    ``clean=False``: a JSON body's strings may be left as sent (:func:`bot.events.read_json`).
    """
    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith("{"):
        body = read_json(raw, clean=clean)
    elif "payload" in raw:
        body = read_json(read_form(raw).get("payload") or "{}")
    else:
        body = read_form(raw)
    if not isinstance(body, dict):
        raise Unreadable("not a JSON object")
    return body


def fits(body: dict[str, Any]) -> bool:
    """Whether a parsed body's shape lets Bolt read it."""
    kind = body.get("type")
    return (BY_TYPE.get(kind, Envelope) if isinstance(kind, str) else Envelope)(body)


def check(body: dict[str, Any]) -> str | None:
    """Say what is wrong with a parsed body's shape, or None when Bolt may read it."""
    if fits(body):
        return None
    # Only now the models, to name the problem; they have the last word, as before these checks.
    from adapters.slack import shape_models

    return shape_models.problem(body)
