"""The server: mounts every platform's routes, health, readiness, metrics; runs the workers.

Its own routes are ``GET /healthz``, ``GET /readyz``, ``GET /metrics`` and ``GET /report/...``;
each platform in ``bot.entry.platforms`` brings its own (Slack: ``POST /slack/events``,
``GET /slack/install``, ``GET /slack/oauth_redirect``; Teams: ``POST /api/messages``), served by
its edge when it is configured and answering that it is not otherwise. Background work — the
outbox loop, the scheduler, replies sent after an ack, each connected platform's own (Slack's
Socket Mode, with ``--socket-mode``), and any job handed to :func:`serve` — starts with the
server and stops with it. ``okrbot work`` (:mod:`bot.entry.work`) runs the same background
behind the health, readiness and metrics routes alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.admin import policies
from bot.entry.access import FailuresLog
from bot.entry.app import Connections, Okrbot, build
from bot.entry.http_routes import Routes
from bot.entry.instrumented import counted, timed_after_ack
from bot.entry.metrics import Metrics
from bot.entry.platforms import PLATFORMS, Registered
from bot.entry.settings import Settings
from bot.runtime.loops import Loop

log = logging.getLogger(__name__)

OUTBOX_INTERVAL = 1.0
INBOX_INTERVAL = 1.0  # also woken by every commit of new events
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
    requests: bool = True  # False: it takes no platform requests (okrbot work)
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
        for loop in (*self.loops, self.inbox):
            loop.stop()  # each ends after its step under way: no transaction cut off
        await asyncio.gather(  # and so does the scheduler's tick
            self.okrbot.scheduler.stop(within=5.0), self.background.drain(within=5.0)
        )
        await self.connections.close()


def create_server(
    okrbot: Okrbot,
    *,
    pacing: Mapping[str, float] | None = None,
    requests: bool = True,
    inbox_interval: float = INBOX_INTERVAL,
) -> Server:
    """Wire okrbot to its routes; each platform joins when its settings are there.

    ``pacing``: seconds between sends to one conversation, by platform (tests go faster).
    ``requests``: False mounts /healthz, /readyz and /metrics alone (``okrbot work``); the
    platforms still connect as serve connects them, to handle what their edges kept and send.
    ``inbox_interval``: seconds between the inbox worker's passes when nothing wakes it.
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

    inbox_loop = Loop("inbox worker", handle_inbox, inbox_interval)
    okrbot.intake.on_committed = inbox_loop.wake
    # No lingering: aiohttp reads what is left of a body nobody read, and logs a traceback when
    # that body cannot be decompressed; such a connection is closed after the answer instead.
    app = web.Application(client_max_size=1024 * 1024, handler_args={"lingering_time": 0})
    probes = [
        web.get("/healthz", routes.healthz),
        web.get("/readyz", routes.readyz),
        web.get("/metrics", routes.metrics),
    ]
    if requests:
        probes = [
            *(web.route(r.method, r.path, r.handler) for r in routes.platforms()),
            *probes,
            web.get(r"/report/{team:\d{1,12}}/{quarter}", routes.report),
            *[web.get(path, _policy(name)) for name, path in policies.PATHS.items()],
        ]
    app.add_routes(probes)
    return Server(
        okrbot, app, connections, metrics, background, loops, inbox_loop, routes.ready, requests
    )


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
    return await run(
        okrbot,
        create_server(okrbot),
        host=host,
        port=port,
        socket_mode=socket_mode,
        scheduler=scheduler,
        jobs=jobs,
    )


async def run(
    okrbot: Okrbot,
    server: Server,
    *,
    host: str,
    port: int,
    socket_mode: bool = False,
    scheduler: bool = True,
    jobs: Sequence[Job] = (),
) -> int:
    """Listen on host:port and run the server's background until SIGINT or SIGTERM; then stop
    it, and close ``okrbot``."""
    # On SIGTERM, requests in flight get a few seconds to finish; a platform retries the rest.
    runner = web.AppRunner(
        server.web_app, shutdown_timeout=SHUTDOWN_GRACE, access_log_class=FailuresLog
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("okrbot %s on http://%s:%s", "serves" if server.requests else "works", host, port)
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
