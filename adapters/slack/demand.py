"""Bolt's app, built when the first request that needs it arrives.

Events API events reach the inbox without Bolt (:mod:`adapters.slack.edge`), so a server that
only takes events never loads it: slack-bolt is about 200 modules and 5 MB, a tenth of what
`okrbot serve` imports before it is ready. Slash commands, interactivity, OAuth's pages and
Socket Mode need it; the first of them loads it (the modules in a worker thread, so the event
loop keeps acking meanwhile: a tenth of a second on a quiet machine) and every later one finds
it built.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

BOLT_MODULES = ("slack_bolt.async_app", "slack_bolt.adapter.aiohttp", "adapters.slack.bolt")
"""What the app and the edge's converters need: loaded together, once."""


def _load() -> None:
    for name in BOLT_MODULES:
        importlib.import_module(name)


class BoltOnDemand:
    """The app ``build`` makes, made once, on the first call that needs it."""

    def __init__(self, build: Callable[[], AsyncApp], *, oauth: bool = False) -> None:
        self._build = build
        self.oauth_on = oauth  # whether the app serves OAuth's pages
        self._app: AsyncApp | None = None
        self._loading: asyncio.Future[None] | None = None

    @property
    def built(self) -> AsyncApp | None:
        """The app, if something has needed it yet."""
        return self._app

    def app(self) -> AsyncApp:
        """The app, built now if it is not yet (loading Bolt in this thread)."""
        if self._app is None:
            _load()
            self._app = self._build()
        return self._app

    async def ready(self) -> AsyncApp:
        """The app, with Bolt loaded in a worker thread if it is not yet.

        Requests that arrive while it loads wait for the same load; a failed load is tried
        again by the next request.
        """
        if self._app is None:
            if self._loading is None:
                self._loading = asyncio.ensure_future(asyncio.to_thread(_load))
            loading = self._loading
            try:
                await asyncio.shield(loading)
            except Exception:
                if self._loading is loading:
                    self._loading = None
                raise
        return self.app()

    async def dispatch(self, request: web.Request, received: float) -> web.Response:
        """Hand a verified request to Bolt; ``received``: when it arrived (``monotonic``)."""
        app = await self.ready()
        from adapters.slack import bolt

        return await bolt.dispatch(app, request, received)

    async def oauth(self, request: web.Request) -> web.Response:
        """``/slack/install`` and ``/slack/oauth_redirect``, when OAuth is configured."""
        if not self.oauth_on:
            return web.Response(status=404, text="Slack OAuth is not configured")
        app = await self.ready()
        from adapters.slack import bolt

        return await bolt.oauth(app, request)
