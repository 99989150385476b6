"""The server's own HTTP handlers: health, readiness, metrics and a team's report page.

``okrbot serve`` mounts them all beside the platforms' routes; ``okrbot work`` mounts the
probes alone (/healthz, /readyz, /metrics).
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from sqlalchemy import text

from bot.admin import report_page, reporting, reports
from bot.entry.app import Connections, Okrbot
from bot.entry.metrics import Metrics, outbox_snapshot
from bot.ports.platform import HttpHandler, HttpRoute
from storage import inbox_watch

log = logging.getLogger(__name__)

READY_TIMEOUT = 2.0


class Routes:
    """The server's own HTTP handlers, over one okrbot."""

    def __init__(self, okrbot: Okrbot, connections: Connections, metrics: Metrics) -> None:
        self._okrbot = okrbot
        self._connections = connections
        self._metrics = metrics
        self.ready = asyncio.Event()  # set by the first answer "ready"

    def platforms(self) -> list[HttpRoute]:
        """Every listed platform's routes: its edge's when connected, else its "not configured"."""
        served = []
        for platform in self._okrbot.platforms:
            connection = self._connections.connected.get(platform.name)
            for route in connection.routes() if connection else platform.unserved():
                handler = self.acked(platform.name, route.handler) if route.acked else route.handler
                served.append(HttpRoute(route.method, route.path, handler))
        return served

    def acked(self, platform: str, handler: HttpHandler) -> HttpHandler:
        """Time the ack the platform waits for, and count its answers."""

        ack = self._metrics.ack.labels(platform)  # found once, not per request
        answered = self._metrics.answers(platform)

        async def timed(request: web.Request) -> web.StreamResponse:
            started = time.perf_counter()
            response: web.StreamResponse = await handler(request)
            ack.observe(time.perf_counter() - started)
            answered(response.status)
            return response

        return timed

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(self, request: web.Request) -> web.Response:
        connected = self._connections.connected.values()
        notes = [note for connection in connected if (note := connection.readiness())]
        try:
            async with asyncio.timeout(READY_TIMEOUT), self._okrbot.engine.connect() as db:
                await db.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("not ready: the database does not answer (%s)", type(error).__name__)
            return web.Response(status=503, text="database unavailable")
        self.ready.set()
        if notes:  # ready for every other workspace, but say it: these have stopped working
            return web.Response(text=f"ready; {'; '.join(notes)}")
        return web.Response(text="ready")

    async def report(self, request: web.Request) -> web.Response:
        """A team's quarterly report, for whoever holds a signed link that has not expired."""
        settings, now = self._okrbot.settings, self._okrbot.clock.now()
        if not settings.public_url or not settings.secret_keys:
            return web.Response(status=404, text="Report links are not configured")
        quarter = reports.verified(
            settings.secret_keys,
            team_id=int(request.match_info["team"]),
            quarter=request.match_info["quarter"],
            expires=request.query.get("expires", ""),
            given=request.query.get("signature", ""),
            now=now,
        )
        if quarter is None:
            return web.Response(status=403, text="This link is not valid, or it has expired")
        async with self._okrbot.sessions() as session:
            team_id = int(request.match_info["team"])
            page = await reporting.page_by_id(session, team_id=team_id, quarter=quarter, now=now)
        if page is None:
            return web.Response(status=404, text="That team is gone")
        headers = {"Content-Security-Policy": report_page.POLICY, "Cache-Control": "no-store"}
        headers |= {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
        return web.Response(text=page, content_type="text/html", charset="utf-8", headers=headers)

    async def metrics(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(READY_TIMEOUT), self._okrbot.sessions() as session:
                now = self._okrbot.clock.now()
                self._metrics.show(await outbox_snapshot(session, now))
                self._metrics.show_inbox(await inbox_watch.depth(session, now))
        except (
            Exception
        ) as error:  # the counters still answer; the outbox's gauges stay as last read
            log.warning("metrics without the outbox: %s", type(error).__name__)
        body, content_type = self._metrics.exposition(request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})
