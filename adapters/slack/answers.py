"""Decide where each reply to a Slack request goes: the ack, the response URL or the Web API.

Pure: :func:`plan` turns an event and the core's outcome into the ack body and the calls to
make after the ack. The listener only carries the plan out. When the outcome is not there by
the deadline, the listener acks with :func:`early` and later makes the calls of :func:`late`
(or of :func:`failed`), which place what the ack would have carried elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from adapters.slack import blocks, forms, texts
from bot.events import ChatEvent, EventKind
from bot.replies import Field, Outcome, Reply, Section, Visibility


class Via(StrEnum):
    RESPOND = "response_url"
    POST = "chat.postMessage"
    EPHEMERAL = "chat.postEphemeral"
    OPEN_VIEW = "views.open"
    PUBLISH_HOME = "views.publish"


@dataclass(frozen=True, slots=True)
class Call:
    """One call made after the ack; ``arguments`` are the Web API's (or response URL's)."""

    via: Via
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plan:
    ack: dict[str, Any] | None  # None acknowledges with an empty body
    calls: tuple[Call, ...] = ()


def plan(
    event: ChatEvent, outcome: Outcome, *, trigger_id: str = "", can_respond: bool = False
) -> Plan:
    """Place every reply: forms as modals, then the first reply in a slash command's ack."""
    if event.kind is EventKind.FORM_SUBMISSION and outcome.form_errors:
        return Plan(ack=forms.errors_answer(outcome.form_errors))
    if event.kind is EventKind.HOME_OPENED:
        if not outcome.replies:
            return Plan(ack=None)
        home = Call(
            Via.PUBLISH_HOME, {"user_id": event.user_id, "view": blocks.home_view(outcome.replies)}
        )
        return Plan(ack=None, calls=(home,))
    ack: dict[str, Any] | None = None
    calls: list[Call] = []
    replies = list(outcome.replies)
    form_reply = next((r for r in replies if r.form is not None), None)
    if form_reply is not None and form_reply.form is not None:
        view = forms.modal(form_reply.form, channel_id=event.channel_id)
        if event.kind is EventKind.FORM_SUBMISSION:
            replies.remove(form_reply)
            ack = {"response_action": "update", "view": view}
        elif trigger_id:
            replies.remove(form_reply)
            calls.append(Call(Via.OPEN_VIEW, {"trigger_id": trigger_id, "view": view}))
        # without a trigger (a typed message) the form's summary line is sent as text instead
    if event.kind is EventKind.COMMAND and replies:
        ack = _response(replies.pop(0))
    calls += [_call(event, reply, can_respond=can_respond) for reply in replies]
    return Plan(ack=ack, calls=tuple(calls))


def early(event: ChatEvent) -> dict[str, Any] | None:
    """The ack of a request whose outcome is not there yet: a command says it is on it.

    Anything else is acked empty; for a modal's submission that closes the modal.
    """
    if event.kind is EventKind.COMMAND:
        return {"response_type": "ephemeral", "text": texts.WORKING}
    return None


def late(
    event: ChatEvent, outcome: Outcome, *, can_respond: bool, view: Any = None
) -> tuple[Call, ...]:
    """The calls that answer a request acked early, once its outcome is there.

    Every reply goes where :func:`plan` sends those after the ack; a command's first reply
    goes through the response URL just as the ack would have shown it. The modal has closed,
    so its field errors go to the person privately, naming the fields (``view`` is the modal
    as submitted, with its labels); and a form to open next is only mentioned, since Slack's
    trigger to open it has expired by then.
    """
    if event.kind is EventKind.FORM_SUBMISSION and outcome.form_errors:
        return (_call(event, _errors(outcome.form_errors, view), can_respond=False),)
    replies = [
        Reply(texts.form_too_late(reply.form.title)) if reply.form is not None else reply
        for reply in outcome.replies
    ]
    return tuple(_call(event, reply, can_respond=can_respond) for reply in replies)


def failed(event: ChatEvent, *, can_respond: bool) -> Call:
    """Tell the person privately that a request acked early did not work after all."""
    return _call(event, Reply(texts.DID_NOT_WORK), can_respond=can_respond)


def _errors(form_errors: Mapping[str, str], view: Any) -> Reply:
    labels = forms.labels(view)
    named = [
        (labels.get(name) or name.replace("_", " ").capitalize(), text)
        for name, text in form_errors.items()
    ]
    fields = tuple(Field(label, text) for label, text in named)
    summary = texts.form_not_saved(forms.title(view), [label for label, _ in named])
    return Reply(summary, (Section(fields=fields),))


def _response(reply: Reply) -> dict[str, Any]:
    shown = "in_channel" if reply.visibility is Visibility.CHANNEL else "ephemeral"
    return {"response_type": shown, "replace_original": False, **blocks.message(reply)}


def _call(event: ChatEvent, reply: Reply, *, can_respond: bool) -> Call:
    if can_respond:  # a response URL posts where the person acted, member of it or not
        return Call(Via.RESPOND, _response(reply))
    message = blocks.message(reply)
    if reply.visibility is Visibility.CHANNEL:
        channel = event.channel_id or event.user_id
        return Call(Via.POST, {"channel": channel, **_thread(event), **message})
    if event.is_direct or not event.channel_id:
        # A direct message conversation is private already; a DM to a user id opens one.
        return Call(Via.POST, {"channel": event.channel_id or event.user_id, **message})
    return Call(Via.EPHEMERAL, {"channel": event.channel_id, "user": event.user_id, **message})


def _thread(event: ChatEvent) -> dict[str, str]:
    return {"thread_ts": event.thread_id} if event.thread_id else {}
