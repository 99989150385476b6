"""Thin botbuilder wiring for ``POST /api/messages``: authenticate, map, handle, reply.

One request is one turn. The Bot Framework JWT is checked first, so a request that fails it
gets 401 before anything is read or stored. (With ``MICROSOFT_APP_ID`` empty botbuilder checks
no token: the local emulator's mode, which the composition turns on only when asked to, and in
which an activity whose ``serviceUrl`` is not on this machine gets 403.) Then the turn remembers
the conversation reference, hands each event to the core, whose effects are committed before
the HTTP answer, and sends the replies through the turn (``turn_context.send_activity`` posts
to the activity's ``serviceUrl``). If the database is away the answer is 503, so that the Bot
Connector may retry; a retried activity changes nothing, since its id is the event id. A
throttled reply waits as Teams asks, within the turn's time; replies that still cannot be sent
are logged and never turn a handled activity into an error. A body too large is 413; one that
is not an activity of a readable shape is 400 before botbuilder sees it (adapters.teams.shapes);
a bug is 500, logged once with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from functools import partial
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import BotFrameworkAuthentication

from adapters import bodies
from adapters.payloads import text_of
from adapters.teams import answers, identity, inbound, references, shapes
from adapters.teams.client import fresh_token, patiently
from adapters.teams.mentions import person_mentions
from adapters.teams.port import TeamsChatPort
from adapters.teams.references import Person, ReferenceStore
from bot.events import ChatEvent, EventKind, Unreadable, read_json
from bot.ports import Clock, DeliveryFailed, EventHandler, RetryLater, Unavailable
from bot.replies import Outcome

log = logging.getLogger(__name__)

CARD_ACTION_DONE = {
    "statusCode": 200,
    "type": "application/vnd.microsoft.activity.message",
    "value": "Received.",
}


class TeamsEdge:
    """The request handler for ``POST /api/messages``."""

    def __init__(
        self,
        *,
        auth: BotFrameworkAuthentication,
        handle: EventHandler,
        store: ReferenceStore,
        port: TeamsChatPort,
        clock: Clock,
        command_words: Collection[str],
        may_reply: Callable[[str], bool] = lambda _service_url: True,
        identity_timeout: float = identity.IDENTITY_TIMEOUT,
    ) -> None:
        self._auth = auth
        self.identity_timeout = identity_timeout  # how long to wait for Microsoft's keys
        self._may_reply = may_reply
        self._adapter = CloudAdapter(auth)
        self._handle = handle
        self._store = store
        self._port = port
        self._clock = clock
        self._command_words = command_words

    async def on_messages(self, request: web.Request) -> web.Response:
        """One activity: one turn, answered when its effects are committed."""
        if "json" not in request.content_type:
            return web.Response(status=415, text="send the activity as application/json")
        raw = await bodies.read(request)
        if isinstance(raw, web.Response):
            return raw
        # Parsed within bounds and checked for shape before botbuilder, which trusts it.
        try:
            body = read_json(raw)
        except Unreadable as error:
            return web.Response(status=400, text=f"malformed activity: {error}")
        problem = shapes.check(body)
        if problem is not None:
            return web.Response(status=400, text=f"malformed activity: {problem}")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # msrest's own refusals: not an activity botbuilder can read
            return web.Response(status=400, text="malformed activity")
        header = request.headers.get("Authorization", "")
        try:
            # botframework fetches signing keys with a blocking call: run it apart, bounded.
            checked = await identity.run_apart(
                lambda: self._auth.authenticate_request(activity, header),
                within=self.identity_timeout,
            )
        except identity.IdentityUnavailable:
            log.warning("cannot check a Bot Framework token now: its signing keys do not answer")
            return web.Response(status=503, text="cannot verify the request now")
        except PermissionError as error:  # botbuilder's "not authorized" (an OSError too)
            log.info("refused an activity without a valid token: %s", error)
            return web.Response(status=401, text="invalid or missing Bot Framework token")
        except OSError:  # Microsoft's signing keys are out of reach: let the connector retry
            log.warning("cannot check a Bot Framework token now: its signing keys are unreachable")
            return web.Response(status=503, text="cannot verify the request now")
        except Exception as error:
            log.info("refused an activity without a valid token: %s", type(error).__name__)
            return web.Response(status=401, text="invalid or missing Bot Framework token")
        if not self._may_reply(str(activity.service_url or "")):
            log.info("refused an activity whose serviceUrl okrbot may not answer")
            return web.Response(status=403, text="okrbot does not answer at this serviceUrl")

        async def turn(context: TurnContext) -> None:
            await self._turn(context, body)

        try:
            answer = await self._adapter.process_activity(checked, activity, turn)
        except Unavailable as error:
            log.warning("could not handle a Teams activity now: %s; answering 503", error)
            return web.Response(status=503, text="okrbot cannot take this activity now")
        except Exception:  # a bug: the edge refused every activity it could not read
            log.exception("a Teams activity failed; answering 500")
            return web.Response(status=500, text="okrbot failed to handle this activity")
        if isinstance(answer, InvokeResponse):
            return web.json_response(answer.body, status=int(answer.status or 200))
        return web.Response(status=200)

    async def _turn(self, context: TurnContext, body: Mapping[str, Any]) -> None:
        # The turn's connector gets the bot's token inside each call, blocking: get it first,
        # off the loop, before anything is stored (no token, no turn: the connector retries).
        try:
            await fresh_token(context.turn_state[CloudAdapter.BOT_CONNECTOR_CLIENT_KEY])
        except RetryLater as error:
            raise Unavailable(str(error)) from None
        seen = references.sighting(body)
        people = await self._mentioned_people(context, body)
        events = inbound.to_chat_events(
            body, self._clock.now(), command_words=self._command_words, people=people
        )
        if seen is not None:
            await self._store.remember(seen)
        outcomes = [(event, await self._handle(event)) for event in events]
        person = seen.person if seen is not None else None
        for event, outcome in outcomes:
            await self._reply(context, event, outcome, person)
        if text_of(body, "name") == inbound.CARD_ACTION_INVOKE and body.get("type") == "invoke":
            done = InvokeResponse(status=HTTPStatus.OK, body=CARD_ACTION_DONE)
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=done))

    async def _mentioned_people(
        self, context: TurnContext, body: Mapping[str, Any]
    ) -> dict[str, str]:
        """Ask Teams who the people mentioned in a message are (their Entra ids)."""
        if body.get("type") != "message":
            return {}
        found: dict[str, str] = {}
        for _, account, _ in person_mentions(body):
            try:
                member = await TeamsInfo.get_member(context, account)
            except Exception as error:  # unknown to Teams, or the connector is away
                log.info("could not look up a mentioned person: %s", type(error).__name__)
                continue
            user = str(getattr(member, "aad_object_id", "") or "")
            if user:
                found[account] = user
        return found

    async def _reply(
        self, context: TurnContext, event: ChatEvent, outcome: Outcome, person: Person | None
    ) -> None:
        known = person if person is not None and person.user_id == event.user_id else None
        for send in answers.plan(event, outcome):
            try:
                if not send.private:
                    activity = Activity().deserialize(send.activity)
                    await patiently(partial(context.send_activity, activity))
                    continue
                try:
                    post = partial(self._port.post_direct, known=known)
                    await patiently(partial(post, event.workspace_id, event.user_id, send.activity))
                except DeliveryFailed as failure:
                    log.info("a private reply went to the thread instead: %s", failure)
                    if event.kind is not EventKind.MEMBER_JOINED:
                        await context.send_activity(Activity().deserialize(answers.fallback()))
            except Exception:  # a reply that cannot be shown must not fail a handled activity
                log.exception("could not send a reply to Teams")
