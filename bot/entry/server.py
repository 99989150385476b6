"""The server: mounts every platform's routes, health, readiness, metrics; runs the workers.

Its own routes are ``GET /healthz``, ``GET /readyz``, ``GET /metrics`` and ``GET /report/...``;
each platform in ``bot.entry.platforms`` brings its own (Slack: ``POST /slack/events``,
``GET /slack/install``, ``GET /slack/oauth_redirect``; Teams: ``POST /api/messages``), served by
its edge when it is configured and answering that it is not otherwise. Background work — the
outbox loop, the scheduler, replies sent after an ack, each connected platform's own (Slack's
Socket Mode, with ``--socket-mode``), and any job handed to :func:`serve` — starts with the
server and stops with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.admin import policies, report_page, reporting, reports
from bot.entry.access import FailuresLog
from bot.entry.app import Connections, Okrbot, build
from bot.entry.instrumented import counted, timed_after_ack
from bot.entry.metrics import Metrics, outbox_snapshot
from bot.entry.platforms import PLATFORMS, Registered
from bot.entry.settings import Settings
from bot.ports.platform import HttpHandler, HttpRoute
from bot.runtime.loops import Loop
from storage import inbox

log = logging.getLogger(__name__)

OUTBOX_INTERVAL = 1.0
INBOX_INTERVAL = 1.0  # also woken by every commit of new events
READY_TIMEOUT = 2.0
SHUTDOWN_GRACE = 5.0
WORKERS_AFTER = 1.0
"""Seconds after the listener is up when the workers start, sooner once /readyz said ready."""

Job = Callable[[], Coroutine[Any, Any, None]]
"""Work the server runs in the background for as long as it serves (the scheduler hook)."""


class Background:
    """Tasks started by the server; on shutdown it waits for them a little, then cancels."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, within: float = 10.0) -> None:
        """Wait until every task has finished (replies after acks, mostly)."""
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=within)
            for task in pending:
                task.cancel()


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
                self._metrics.show_inbox(await inbox.depth(session, now))
        except (
            Exception
        ) as error:  # the counters still answer; the outbox's gauges stay as last read
            log.warning("metrics without the outbox: %s", type(error).__name__)
        body, content_type = self._metrics.exposition(request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})


@dataclass
class Server:
    """Everything `okrbot serve` runs, before it listens on a port."""

    okrbot: Okrbot
    web_app: web.Application
    connections: Connections  # the configured platforms, by name
    metrics: Metrics
    background: Background
    loops: tuple[Loop, Loop]  # the outbox's, and the one performing due runs
    inbox: Loop  # handles the events kept in the inbox
    ready: asyncio.Event  # set once /readyz has answered "ready"
    stopping: bool = False

    async def start_workers(
        self, *, scheduler: bool, jobs: Sequence[Job] = (), after: float = 0.0
    ) -> None:
        """Start the inbox's worker (unless OKRBOT_INBOX_WORKER=off), the outbox loop, the
        scheduler (unless --no-scheduler) and any extra jobs.

        With ``after``, they start once /readyz has answered "ready", or ``after`` seconds on
        at the latest: their first passes (the scheduler's tick, the outbox's, the inbox's, and
        the mappers' configuration on the first query) would otherwise come before the first
        readiness check, on SQLite's one connection and on the CPU it needs too.
        """
        if after:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ready.wait(), after)
        if self.stopping:
            return
        if self.okrbot.settings.inbox_worker:
            self.background.spawn(self.inbox.run())
        if scheduler:
            for loop in self.loops:
                self.background.spawn(loop.run())
            self.okrbot.scheduler.start()
        for job in jobs:
            self.background.spawn(job())

    async def stop(self) -> None:
        await self.connections.stop()  # no more events over a platform's own connection
        self.stopping = True  # workers not started yet never start:
        self.ready.set()  # a start still waiting goes on at once, to start none
        self.okrbot.scheduler.stop()
        for loop in (*self.loops, self.inbox):
            loop.stop()  # each ends after its step under way: no transaction cut off
        await self.background.drain(within=5.0)
        await self.connections.close()


def create_server(okrbot: Okrbot, *, pacing: Mapping[str, float] | None = None) -> Server:
    """Wire okrbot to its routes; each platform joins when its settings are there.

    ``pacing``: seconds between sends to one conversation, by platform (tests go faster).
    """
    metrics = okrbot.metrics
    background = Background()
    loops = okrbot.loops(interval=OUTBOX_INTERVAL)
    # An event that wrote messages or work due now (/retro start) wakes the loop that performs
    # due runs, which wakes the outbox loop; a story told wakes neither.
    okrbot.handle.on_committed = loops[1].wake
    handle = counted(okrbot.handle, metrics)
    connections = okrbot.connect(
        serving=True,
        handle=handle,
        spawn=lambda platform: timed_after_ack(background.spawn, metrics, platform),
        pacing=pacing,
    )
    routes = Routes(okrbot, connections, metrics)

    async def handle_inbox() -> None:
        if await okrbot.inbox.pass_once():  # one pass a step, so that a stop waits for one only
            inbox_loop.wake()

    inbox_loop = Loop("inbox worker", handle_inbox, INBOX_INTERVAL)
    okrbot.intake.on_committed = inbox_loop.wake
    # No lingering: aiohttp reads what is left of a body nobody read, and logs a traceback when
    # that body cannot be decompressed; such a connection is closed after the answer instead.
    app = web.Application(client_max_size=1024 * 1024, handler_args={"lingering_time": 0})
    app.add_routes(
        [
            *(web.route(r.method, r.path, r.handler) for r in routes.platforms()),
            web.get("/healthz", routes.healthz),
            web.get("/readyz", routes.readyz),
            web.get("/metrics", routes.metrics),
            web.get(r"/report/{team:\d{1,12}}/{quarter}", routes.report),
            *[web.get(path, _policy(name)) for name, path in policies.PATHS.items()],
        ]
    )
    return Server(okrbot, app, connections, metrics, background, loops, inbox_loop, routes.ready)


def _policy(name: str) -> Callable[[web.Request], Coroutine[Any, Any, web.Response]]:
    """The page the Teams app package links to as its website, privacy notice or terms."""
    html = policies.page(name)

    async def show(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    return show


async def serve(
    settings: Settings,
    *,
    host: str = "0.0.0.0",  # noqa: S104 - a server in a container listens on every interface
    port: int = 3000,
    socket_mode: bool = False,
    scheduler: bool = True,
    jobs: Sequence[Job] = (),
    platforms: Sequence[Registered] = PLATFORMS,
) -> int:
    """Run until SIGINT or SIGTERM: HTTP on host:port, and Socket Mode if asked."""
    okrbot = await build(settings, platforms=platforms)
    server = create_server(okrbot)
    # On SIGTERM, requests in flight get a few seconds to finish; a platform retries the rest.
    runner = web.AppRunner(
        server.web_app, shutdown_timeout=SHUTDOWN_GRACE, access_log_class=FailuresLog
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("okrbot serves on http://%s:%s", host, port)
        # A platform's own way in besides HTTP (Slack's Socket Mode) opens only when asked.
        if not await server.connections.start(socket=socket_mode) and socket_mode:
            log.error("--socket-mode: no configured platform opened a connection of its own")
            return 2
        starting = server.start_workers(scheduler=scheduler, jobs=jobs, after=WORKERS_AFTER)
        server.background.spawn(starting)
        await _until_stopped()
    finally:
        await server.stop()
        await runner.cleanup()
        await okrbot.close()
    return 0


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(name, stop.set)
    await stop.wait()
