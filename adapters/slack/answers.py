"""Decide where each reply to a Slack request goes: the ack, the response URL or the Web API.

Pure: :func:`plan` turns an event and the core's outcome into the ack body and the calls to
make after the ack. The listener only carries the plan out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from adapters.slack import blocks, forms
from bot.events import ChatEvent, EventKind
from bot.replies import Outcome, Reply, Visibility


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
