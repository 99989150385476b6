"""Thin Bolt wiring: map the request, let the core handle it, ack, then carry out the rest.

The app runs with ``process_before_response=True``: each listener calls the core (one short
database transaction) *before* it acks, so Slack's 200 means the effects are committed. If the
core raises (the database is down), the ack never happens and the app's error handler answers
503, so Slack retries. Replies that need Web API calls go out after the ack, in the background,
so a slow or rate-limited Slack never delays an ack past its 3 seconds.

The core itself gets :data:`INLINE_DEADLINE` from the request's arrival (a slow database, a
lock, a burst). Past it the listener acks at once (a command with a short "working on it",
a modal's submission empty, which closes the modal), lets the core finish, and then sends what
the ack would have carried: a command's answer through its response URL, a form's errors to
the person privately, or, if the core failed after all, a private word that it did not work.

Those replies are not written to the outbox: they are answers to someone who just acted, sent
through a response URL (valid for 30 minutes) or as ephemeral messages (gone when Slack
reloads), worth little after a few minutes and impossible to send from another replica. So
each is retried here, in the background, waiting out Slack's ``Retry-After`` and backing off
after server errors, for :data:`REPLY_PATIENCE` at most; only then, or when Slack refuses it
for good, it is given up with a log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, Coroutine, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters import failures
from adapters.payloads import text_of
from adapters.slack import answers, inbound
from adapters.slack.answers import Call, Via
from adapters.slack.client import classify
from bot.events import ChatEvent, Enqueue
from bot.ports import Clock, EventHandler, RetryLater, Unavailable
from bot.replies import Outcome

if TYPE_CHECKING:  # Bolt is loaded when the app is built (adapters.slack.demand), not with this
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_bolt.context.respond.async_respond import AsyncRespond

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], None]
"""Run a coroutine in the background (the server tracks it and waits for it on shutdown)."""

EVENT_TYPES = (
    "app_mention",
    "message",
    "reaction_added",
    "app_home_opened",
    "member_joined_channel",
)
NO_CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "user_not_in_channel"})
REPLY_PATIENCE = 120.0
"""Seconds a reply after an ack may wait out rate limits and outages before it is dropped."""
LONGEST_PAUSE = 30.0
INLINE_DEADLINE = 2.5
"""Seconds from a request's arrival that its answer may take to be the ack's; Slack waits 3."""
RECEIVED = "okrbot_received"
"""Where the edge notes in Bolt's context when a request arrived (``time.monotonic()``)."""

Mapper = Callable[[Mapping[str, Any], datetime], ChatEvent | None]


class SlackListeners:
    """The listeners of the Slack app, handing every request to one EventHandler."""

    def __init__(
        self,
        handle: EventHandler,
        clock: Clock,
        spawn: Spawn,
        command_words: Collection[str],
        enqueue: Enqueue | None = None,
    ) -> None:
        self._handle = handle
        self._clock = clock
        self._spawn = spawn
        self._command_words = tuple(command_words)
        self._enqueue = enqueue

    def register(self, app: AsyncApp) -> None:
        for event_type in EVENT_TYPES:
            app.event(event_type)(self.on_event)
        words = "|".join(re.escape(word) for word in self._command_words)
        app.command(re.compile(f"^/({words})$"))(self.on_command)
        app.action(re.compile(".*"))(self.on_action)
        app.view(re.compile(".*"))(self.on_view_submission)
        app.shortcut(inbound.SAVE_LEARNING_STORY)(self.on_shortcut)

    async def on_event(self, body: dict[str, Any], ack: AsyncAck, client: AsyncWebClient) -> None:
        if self._enqueue is None:  # an event keeps its ack after the commit: Slack retries it
            await self._answer(inbound.from_event_callback, body, ack, client, None, None)
            return
        # Over HTTP the edge keeps events before Bolt; this is Socket Mode's way into the inbox.
        item = inbound.to_inbound(body, json.dumps(body), self._clock.now())
        if item is not None:
            await self._enqueue(item)  # Unavailable: no ack, so Slack sends it again
        await ack()

    async def on_command(
        self, body: dict[str, Any], ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        mapper = partial(inbound.from_slash_command, command_words=self._command_words)
        await self._answer(mapper, body, ack, client, context, _respond(context))

    async def on_action(
        self, body: dict[str, Any], ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await self._answer(inbound.from_block_action, body, ack, client, context, _respond(context))

    async def on_view_submission(
        self, body: dict[str, Any], ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await self._answer(inbound.from_view_submission, body, ack, client, context, None)

    async def on_shortcut(
        self, body: dict[str, Any], ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        mapper = inbound.from_message_shortcut
        await self._answer(mapper, body, ack, client, context, _respond(context))

    async def _answer(
        self,
        mapper: Mapper,
        body: dict[str, Any],
        ack: AsyncAck,
        client: AsyncWebClient,
        context: AsyncBoltContext | None,
        respond: AsyncRespond | None,
    ) -> None:
        """Hand the event to the core and ack with its answer, or early past the deadline.

        Without ``context`` (an event, which Slack retries) there is no deadline.
        """
        event = mapper(body, self._clock.now())
        if event is None:
            await ack()
            return
        handling = asyncio.ensure_future(self._handle(event))
        try:
            await asyncio.wait((handling,), timeout=_time_left(context))
        except asyncio.CancelledError:  # the request is gone: so is its handling, as ever
            handling.cancel()
            raise
        if not handling.done():
            log.info(
                "a Slack %s is taking longer than Slack waits: acked, answered later",
                event.kind.value,
            )
            await _ack(ack, answers.early(event))
            self._spawn(self._answer_late(handling, event, body, client, respond))
            return
        outcome = handling.result()  # committed before the ack, or it raises
        trigger_id = text_of(body, "trigger_id")
        plan = answers.plan(event, outcome, trigger_id=trigger_id, can_respond=respond is not None)
        await _ack(ack, plan.ack)
        if plan.calls:
            self._spawn(carry_out(plan.calls, client, respond, event.user_id))

    async def _answer_late(
        self,
        handling: asyncio.Future[Outcome],
        event: ChatEvent,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond | None,
    ) -> None:
        """Wait for the outcome of a request acked early, then answer the person after all."""
        can_respond = respond is not None
        try:
            outcome = await handling
        except Unavailable as error:
            log.warning("a Slack %s acked early could not be handled: %s", event.kind.value, error)
            calls: tuple[Call, ...] = (answers.failed(event, can_respond=can_respond),)
        except Exception:
            log.exception("a Slack %s acked early failed", event.kind.value)
            calls = (answers.failed(event, can_respond=can_respond),)
        else:
            calls = answers.late(event, outcome, can_respond=can_respond, view=body.get("view"))
        await carry_out(calls, client, respond, event.user_id)


async def _ack(ack: AsyncAck, body: dict[str, Any] | None) -> None:
    if body is None:
        await ack()
    else:
        await ack(body)


def _time_left(context: AsyncBoltContext | None) -> float | None:
    """What is left of :data:`INLINE_DEADLINE` since the request arrived (or since now)."""
    if context is None:
        return None
    received = context.get(RECEIVED)
    started = received if isinstance(received, float) else time.monotonic()
    return max(0.0, started + INLINE_DEADLINE - time.monotonic())


def _respond(context: AsyncBoltContext) -> AsyncRespond | None:
    return context.respond if context.response_url else None


class Unanswered(Exception):
    """A response URL answered with an error status (it does not raise by itself)."""

    def __init__(self, status: int, headers: Mapping[str, Any]) -> None:
        super().__init__(f"response_url answered {status}")
        self.status = status
        self.headers = headers


async def carry_out(
    calls: tuple[Call, ...],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    user_id: str,
    *,
    patience: float = REPLY_PATIENCE,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Make the calls a plan asks for after the ack; one failure does not stop the rest."""
    for call in calls:

        async def make(call: Call = call) -> None:
            await _make(call, client, respond, user_id)

        try:
            await patiently(make, patience, sleep)
        except Exception:  # a reply that cannot be shown must not take the server down
            log.exception("could not deliver a reply to Slack through %s", call.via.value)


async def patiently(
    attempt: Callable[[], Awaitable[None]],
    patience: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Try until it works, waiting as Slack asks; give up after ``patience`` seconds.

    The calls' own time is bounded by the client's timeout and not counted.
    """
    await failures.patiently(
        attempt, read=_trouble, patience=patience, longest=LONGEST_PAUSE, sleep=sleep
    )


def _trouble(error: Exception) -> Exception:
    """What a failed reply means, in the terms every platform's answers are read in."""
    if isinstance(error, (ClientError, TimeoutError)):
        return RetryLater(f"reply: {type(error).__name__}")
    if isinstance(error, Unanswered):
        return failures.from_status(Via.RESPOND.value, error.status, error.headers)
    if isinstance(error, SlackApiError):
        return classify(error, "reply")
    return error


async def _make(
    call: Call, client: AsyncWebClient, respond: AsyncRespond | None, user_id: str
) -> None:
    if call.via is Via.RESPOND and respond is not None:
        answer = await respond(**call.arguments)
        if answer.status_code >= 400:
            raise Unanswered(answer.status_code, answer.headers or {})
        return
    try:
        await client.api_call(call.via.value, json=call.arguments)
    except SlackApiError as error:
        code = error.response.get("error", "") if error.response is not None else ""
        if call.via is not Via.EPHEMERAL or code not in NO_CHANNEL_ERRORS:
            raise
        # The bot is not in that channel: tell the person in their conversation with the app.
        fallback = {k: v for k, v in call.arguments.items() if k not in ("channel", "user")}
        await client.api_call(Via.POST.value, json={"channel": user_id, **fallback})
