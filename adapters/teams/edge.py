"""``POST /api/messages``: read the activity, authenticate, map, handle, reply, on either host.

One request is one turn. The host (:mod:`adapters.teams.hosts`: the Microsoft 365 Agents SDK or
botbuilder, ``OKRBOT_TEAMS_SDK``) checks the Bot Framework token first, so a request that fails
it gets 401 before anything is read or stored. (Without ``MICROSOFT_APP_ID`` no token is checked:
the local emulator's mode, which the composition turns on only when asked to, and in which an
activity whose ``serviceUrl`` is not on this machine gets 403.) Then the turn remembers the
conversation reference, hands each event to the core, whose effects are committed before the
HTTP answer, and sends the replies through the turn, to the activity's ``serviceUrl``. A card's
Universal Action (an ``adaptiveCard/action`` invoke) is answered with the card as it is now,
which also replaces the card in the conversation. If the database is away the answer is 503,
so that the Bot Connector may retry; a retried activity changes nothing, since its id is the
event id. A throttled reply waits as Teams asks, within the turn's time; replies that still
cannot be sent are logged and never turn a handled activity into an error. A body too large
is 413; one that is not an activity of a readable shape is 400 before any SDK sees it
(adapters.teams.shapes); a bug is 500, logged once with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any

from aiohttp import web

from adapters import bodies
from adapters.payloads import text_of
from adapters.teams import answers, identity, inbound, references, shapes
from adapters.teams.client import patiently
from adapters.teams.hosts import Host, Refused, Turn
from adapters.teams.mentions import person_mentions
from adapters.teams.port import TeamsChatPort
from adapters.teams.references import Person, ReferenceStore
from bot.events import ChatEvent, EventKind, Unreadable, read_json
from bot.ports import Clock, DeliveryFailed, EventHandler, Unavailable
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
        host: Host,
        handle: EventHandler,
        store: ReferenceStore,
        port: TeamsChatPort,
        clock: Clock,
        command_words: Collection[str],
        may_reply: Callable[[str], bool] = lambda _service_url: True,
        identity_timeout: float = identity.IDENTITY_TIMEOUT,
    ) -> None:
        self.host = host  # the SDK serving the turns (adapters.teams.hosts)
        self.identity_timeout = identity_timeout  # how long to wait for Microsoft's keys
        self._may_reply = may_reply
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
        # Parsed within bounds and checked for shape before the SDK, which trusts it.
        try:
            body = read_json(raw)
        except Unreadable as error:
            return web.Response(status=400, text=f"malformed activity: {error}")
        problem = shapes.check(body)
        if problem is not None:
            return web.Response(status=400, text=f"malformed activity: {problem}")
        header = request.headers.get("Authorization", "")
        try:
            checked = await self.host.authenticate(body, header, within=self.identity_timeout)
        except Refused as refusal:
            return web.Response(status=refusal.status, text=refusal.text)
        if not self._may_reply(text_of(body, "serviceUrl")):
            log.info("refused an activity whose serviceUrl okrbot may not answer")
            return web.Response(status=403, text="okrbot does not answer at this serviceUrl")
        if inbound.unknown_invoke(body):  # as the SDKs answer one: no turn, nothing stored
            log.info("answered 501 to an invoke okrbot does not handle")
            return web.Response(status=501, text="okrbot does not handle this invoke")

        async def turn(context: Turn) -> None:
            await self._turn(context, body)

        try:
            answer = await self.host.run(checked, body, turn)
        except Unavailable as error:
            log.warning("could not handle a Teams activity now: %s; answering 503", error)
            return web.Response(status=503, text="okrbot cannot take this activity now")
        except Exception:  # a bug: the edge refused every activity it could not read
            log.exception("a Teams activity failed; answering 500")
            return web.Response(status=500, text="okrbot failed to handle this activity")
        if answer is not None:
            return web.json_response(answer.body, status=answer.status)
        return web.Response(status=200)

    async def _turn(self, context: Turn, body: Mapping[str, Any]) -> None:
        seen = references.sighting(body)
        # Teams says the app was added both ways (installationUpdate, conversationUpdate), and
        # may say it again: the hello goes only where no conversation was known before.
        new_here = (
            seen is not None
            and inbound.bot_added(body)
            and await self._store.conversation(
                seen.conversation.tenant_id, seen.conversation.conversation_id
            )
            is None
        )
        people = await self._mentioned_people(context, body)
        events = inbound.to_chat_events(
            body, self._clock.now(), command_words=self._command_words, people=people
        )
        if seen is not None:
            await self._store.remember(seen)
        outcomes = [(event, await self._handle(event)) for event in events]
        person = seen.person if seen is not None else None
        invoke_answer: Mapping[str, Any] = CARD_ACTION_DONE
        for event, outcome in outcomes:
            if body.get("type") == "invoke":
                outcome, invoke_answer = await self._settle(context, body, event, outcome)
            await self._reply(context, event, outcome, person)
        if new_here:
            try:
                await patiently(partial(context.send, answers.welcome()))
            except Exception:  # a hello that cannot be shown must not fail the activity
                log.exception("could not say hello in a new Teams conversation")
        if body.get("type") == "invoke":  # a card's action: unknown invokes had no turn
            await context.answer_invoke(200, invoke_answer)

    async def _settle(
        self, context: Turn, body: Mapping[str, Any], event: ChatEvent, outcome: Outcome
    ) -> tuple[Outcome, Mapping[str, Any]]:
        """Answer a Universal Action with the card as it is now, and show it to everyone.

        The card in the conversation is replaced too (Teams shows an invoke's answer only to
        the person who acted), so everyone there sees the draft posted or the form answered.
        """
        reply, rest = answers.settle(outcome, in_own_chat=inbound.is_personal(body))
        if reply is None:
            return rest, answers.invoke_error(outcome) if outcome.form_errors else CARD_ACTION_DONE
        card = answers.settled_card(event, reply, text_of(body, "replyToId"))
        if card["id"]:
            try:
                await patiently(partial(context.update, card))
            except Exception:  # the person still sees the new card: the invoke's answer
                log.exception("could not update a card in Teams")
        return rest, answers.invoke_card(card)

    async def _mentioned_people(self, context: Turn, body: Mapping[str, Any]) -> dict[str, str]:
        """Ask Teams who the people mentioned in a message are (their Entra ids)."""
        if body.get("type") != "message":
            return {}
        found: dict[str, str] = {}
        for _, account, _ in person_mentions(body):
            try:
                user = await context.member(account)
            except Exception as error:  # unknown to Teams, or the connector is away
                log.info("could not look up a mentioned person: %s", type(error).__name__)
                continue
            if user:
                found[account] = user
        return found

    async def _reply(
        self, context: Turn, event: ChatEvent, outcome: Outcome, person: Person | None
    ) -> None:
        known = person if person is not None and person.user_id == event.user_id else None
        for send in answers.plan(event, outcome):
            try:
                if not send.private:
                    await patiently(partial(context.send, send.activity))
                    continue
                try:
                    post = partial(self._port.post_direct, known=known)
                    await patiently(partial(post, event.workspace_id, event.user_id, send.activity))
                except DeliveryFailed as failure:
                    log.info("a private reply went to the thread instead: %s", failure)
                    if event.kind is not EventKind.MEMBER_JOINED:
                        await context.send(answers.fallback())
            except Exception:  # a reply that cannot be shown must not fail a handled activity
                log.exception("could not send a reply to Teams")
