"""Slack's HTTP edge: ``POST /slack/events`` and the OAuth pages, as aiohttp handlers.

Each request is read within bounds, its signature checked and its body parsed within bounds.
An event okrbot listens to is then kept in the inbox and acked once stored, read only for the
ids of its row (:func:`adapters.slack.intake.row`), without Bolt; its whole shape is checked
when it is handled. Anything else has its shape checked (:mod:`adapters.slack.shapes`) and
goes to Bolt (built when the first such request arrives: :mod:`adapters.slack.demand`)
through two small converters (Bolt's own for aiohttp), which turn the aiohttp request into
Bolt's and Bolt's answer back. The signature
is checked here and only here: the Bolt app is built without its verification middleware
(:func:`adapters.slack.bolt.create_app`), because the check has to come before parsing, so
that an unsigned malformed body is a 401 and not a 400. Socket Mode needs no signature.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters import bodies
from adapters.slack import intake, shapes
from adapters.slack.demand import BoltOnDemand
from bot.events import Enqueue, Unreadable, bounded
from bot.ports import Clock, Unavailable

log = logging.getLogger(__name__)


class SlackEdge:
    """The request handlers for Slack's routes, over one Bolt app (built when first needed)."""

    def __init__(
        self,
        bolt: BoltOnDemand,
        signing_secret: str,
        *,
        enqueue: Enqueue | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._bolt = bolt
        self._enqueue = enqueue
        self._clock = clock
        # Without a signing secret (Socket Mode alone) no HTTP request can be verified.
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None

    async def on_events(self, request: web.Request) -> web.Response:
        """Events API, slash commands and interactivity: one request URL for all."""
        received = time.monotonic()  # the listeners' deadline counts from here
        if self._verifier is None:
            return web.Response(status=503, text="Slack is not configured")
        body = await bodies.read(request)
        if isinstance(body, web.Response):
            return body
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signed = request.headers.get("X-Slack-Signature", "")
        if not (stamp.isdigit() and self._verifier.is_valid(body, stamp, signed)):
            return web.Response(status=401, text="invalid request signature")
        # Parsed within bounds; an event kept in the inbox is read for its row alone, anything
        # else is checked for shape before Bolt, which trusts every field.
        try:
            parsed = shapes.parse(body, request.content_type, clean=False)
        except Unreadable as error:
            return web.Response(status=400, text=f"malformed body: {error}")
        if self._enqueue is not None and self._clock is not None and intake.kept(parsed):
            return await self._keep(self._enqueue, self._clock, parsed, body)
        parsed = bounded(parsed)  # its strings made storable, as the models read them
        problem = shapes.check(parsed)
        if problem is not None:
            if parsed.get("type") == "event_callback":
                return _ignored(problem)
            return web.Response(status=400, text=f"malformed body: {problem}")
        return await self._bolt.dispatch(request, received)

    async def _keep(
        self, enqueue: Enqueue, clock: Clock, parsed: dict[str, Any], body: str
    ) -> web.Response:
        """Store the event in the inbox and ack it once the row is committed (or ignore it)."""
        try:
            item = intake.row(parsed, body, clock.now())
        except intake.Unfit as unfit:
            # Named by the shape's models, as any other body that does not fit.
            return _ignored(shapes.check(bounded(parsed)) or str(unfit))
        if item is not None:
            try:
                await enqueue(item)
            except Unavailable as error:
                log.warning("could not keep a Slack event now: %s; answering 503", error)
                return web.Response(status=503, text="okrbot cannot take this now; please retry")
        return web.Response(status=200)

    async def on_oauth(self, request: web.Request) -> web.Response:
        """``/slack/install`` and ``/slack/oauth_redirect``, when OAuth is configured."""
        return await self._bolt.oauth(request)


def _ignored(problem: str) -> web.Response:
    """An event no retry can make readable: 200, or Slack sends it again and again."""
    log.info("ignored a Slack event okrbot cannot read (%s)", problem)
    return web.Response(status=200)
