"""What Slack posts, as far as Bolt and okrbot read it: the shapes, as pydantic models.

Bolt reads a body trusting that Slack sent it: a ``user`` that is a number, ``actions`` that
are a string or ``view: null`` make it raise before any listener runs, on every retry. So the
edge parses each signed body within bounds (:mod:`bot.events`, the same way Bolt will) and
checks its shape first (:mod:`adapters.slack.shapes`); a body that does not fit never reaches
Bolt. These models are the statement of the shapes, and they name what is wrong with a body;
they are built only for a body that does not fit, since the plain checks in
:mod:`adapters.slack.shapes` tell whether it does without pydantic. The models are strict about
the fields Bolt and the mappers read (a string is a string, never a number) and allow every
other field, since Slack adds fields over time.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from adapters import shaping
from adapters.shaping import PRINTABLE, Shape

# Slack's ids are about a dozen characters; okrbot stores them in columns of 128, and a
# workspace of an org-wide install as ``E…:T…``, so each must stay well under half of that.
Id = Annotated[str, StringConstraints(max_length=60, pattern=PRINTABLE)]


class Reference(Shape):
    """A team, user, channel or enterprise that Slack names by an object with an id."""

    id: Id | None = None
    team_id: Id | None = None
    enterprise_id: Id | None = None


Named = Id | Reference | None
"""Slack names a team, user, channel or enterprise by its id or by an object holding it."""


class ResponseUrl(Shape):
    response_url: str | None = None


class Addressed(Shape):
    """The fields Bolt reads from a body to know its workspace, person and channel.

    Bolt reads them from the body, and again from ``authorizations[0]``, the event, and the
    event's ``message``, ``previous_message`` and ``item``; each of those must fit too.
    """

    type: str | None = None
    enterprise: Named = None
    enterprise_id: Id | None = None
    team: Named = None
    team_id: Id | None = None
    user: Named = None
    user_id: Id | None = None
    user_team: Id | None = None
    channel: Named = None
    channel_id: Id | None = None
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    is_enterprise_install: bool | str | None = None
    message: Addressed | None = None
    previous_message: Addressed | None = None
    item: Addressed | None = None
    assistant_thread: Addressed | None = None
    function_execution_id: str | None = None
    bot_access_token: str | None = None
    function_data: Addressed | None = None
    execution_id: str | None = None
    inputs: dict[str, Any] | None = None
    response_url: str | None = None
    response_urls: list[ResponseUrl] | None = None
    view: View | None = None
    app_installed_team_id: Id | None = None


class View(Addressed):
    callback_id: str | None = None
    private_metadata: str | None = None
    state: dict[str, Any] | None = None


class Event(Addressed):
    """The ``event`` of an Events API envelope (Bolt reads it with ``body.get("event", {})``)."""

    type: str
    channel_type: str | None = None
    tab: str | None = None
    text: str | None = None


class Envelope(Addressed):
    """Any body Slack posts; ``event``, when there, is an object (Bolt trusts it is)."""

    # Absent or an object, never null: Bolt reads it with ``.get("event", {}).get(...)``.
    event: Event = Field(default_factory=lambda: Event(type=""))
    # The same for ``view``: Bolt's note on a request nobody handles reads ``view.get(...)``.
    view: View = Field(default_factory=View)
    authorizations: list[Addressed] | None = None
    is_ext_shared_channel: bool | None = None
    callback_id: str | None = None
    action_id: str | None = None


class EventCallback(Envelope):
    type: str
    event_id: Id
    event: Event


class Action(Shape):
    action_id: str
    value: str | None = None
    selected_option: dict[str, Any] | None = None


class BlockActions(Envelope):
    actions: list[Action] = Field(min_length=1)
    trigger_id: str | None = None
    container: dict[str, Any] | None = None


class SubmittedView(View):
    callback_id: str
    type: str  # Bolt reads ``view["type"]`` of every submission, to spot a workflow step


class ViewSubmission(Envelope):
    view: SubmittedView
    workflow_step: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _step_saved_with_its_step(self) -> ViewSubmission:
        # Bolt reads ``workflow_step`` of a submitted workflow step's view without asking.
        if self.view.type == "workflow_step" and self.workflow_step is None:
            raise ValueError("a workflow step's view without its workflow_step")
        return self


class Shortcut(Envelope):
    callback_id: str
    trigger_id: str | None = None


class WorkflowStepEdit(Envelope):
    """Bolt reads its ``workflow_step`` without asking whenever it has a ``callback_id``."""

    callback_id: str
    workflow_step: dict[str, Any]


class AttachmentAction(Envelope):
    callback_id: str
    actions: list[dict[str, Any]] = Field(min_length=1)


_BY_TYPE: dict[str, type[Envelope]] = {
    "event_callback": EventCallback,
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "view_closed": ViewSubmission,
    "message_action": Shortcut,
    "shortcut": Shortcut,
    "interactive_message": AttachmentAction,
    "workflow_step_edit": WorkflowStepEdit,
}


def problem(body: dict[str, Any]) -> str | None:
    """Say what is wrong with a parsed body's shape, or None when Bolt may read it."""
    kind = body.get("type")
    model = _BY_TYPE.get(kind, Envelope) if isinstance(kind, str) else Envelope
    return shaping.problem(model, body)
