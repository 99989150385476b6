"""``POST /api/messages``: read the activity, authenticate, then keep it or handle it in its turn.

The host (:mod:`adapters.teams.hosts`: the Microsoft 365 Agents SDK or botbuilder,
``OKRBOT_TEAMS_SDK``) checks the Bot Framework token first, so a request that fails it gets 401
before anything is read or stored. (Without ``MICROSOFT_APP_ID`` no token is checked: the local
emulator's mode, which the composition turns on only when asked to, and in which an activity
whose ``serviceUrl`` is not on this machine gets 403.) An activity whose answer is not the HTTP
response (a message, people joining, a reaction, the app installed) is then kept in the inbox as
Teams sent it and acked 200 once stored; the inbox's worker handles it and answers through the
Bot Connector (:mod:`adapters.teams.proactive`). An invoke (a card's Universal Action) is one
turn, as before: its events are handed to the core, whose effects are committed before the HTTP
answer, and it is answered with the card as it is now, which also replaces the card in the
conversation. If the database is away the answer is 503, so that the Bot Connector may retry; a
retried activity changes nothing, since its id is the event id. A throttled reply in a turn
waits as Teams asks, within the turn's time; replies that still cannot be sent are logged and
never turn a handled activity into an error. A body too large is 413; one that is not an
activity of a readable shape is 400 before any SDK sees it (adapters.teams.shapes); a bug is
500, logged once with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any

from aiohttp import web

from adapters import bodies
from adapters.payloads import text_of
from adapters.teams import identity, inbound, proactive, shapes
from adapters.teams.hosts import Host, Refused, Turn
from adapters.teams.port import TeamsChatPort
from adapters.teams.references import ReferenceStore
from adapters.teams.turns import Turns
from bot.events import Enqueue, Unreadable, read_json
from bot.ports import Clock, EventHandler, Unavailable

log = logging.getLogger(__name__)


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
        enqueue: Enqueue | None = None,
    ) -> None:
        self.host = host  # the SDK serving the turns (adapters.teams.hosts)
        self.identity_timeout = identity_timeout  # how long to wait for Microsoft's keys
        self.turns = Turns(handle=handle, store=store, port=port, command_words=command_words)
        self._may_reply = may_reply
        self._clock = clock
        self._enqueue = enqueue  # None: every activity is handled in its turn

    async def on_messages(self, request: web.Request) -> web.Response:
        """One activity: kept and acked, or (an invoke) one turn answered once committed."""
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

        if self._enqueue is not None and proactive.kept(body):
            return await self._keep(self._enqueue, body, raw)

        async def turn(context: Turn) -> None:
            await self.turns.run(context, body, self._clock.now())

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

    async def _keep(self, enqueue: Enqueue, body: Mapping[str, Any], raw: str) -> web.Response:
        """Store the activity in the inbox and ack it once the row is committed."""
        try:
            await enqueue(proactive.to_inbound(body, raw, self._clock.now()))
        except Unavailable as error:
            log.warning("could not keep a Teams activity now: %s; answering 503", error)
            return web.Response(status=503, text="okrbot cannot take this activity now")
        return web.Response(status=200)
