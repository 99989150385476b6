"""The server: Slack over HTTP (and Socket Mode), health, readiness, metrics, and the workers.

Routes: ``POST /slack/events``, ``GET /slack/install``, ``GET /slack/oauth_redirect``,
``POST /api/messages`` (Teams, Bot Framework), ``GET /healthz``, ``GET /readyz``,
``GET /metrics``. Background work — the outbox loop, the scheduler, replies sent after an ack,
and any job handed to :func:`serve` — starts with the server and stops with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select, text

from adapters.slack import bolt, shapes
from adapters.slack.listeners import SlackListeners
from adapters.slack.socket import socket_mode_handler
from adapters.teams.endpoint import TeamsEndpoint
from bot.entry import platforms
from bot.entry.app import Okrbot, build
from bot.entry.settings import Settings
from bot.events import ChatEvent, Unreadable
from bot.glue import keys
from bot.glue.slack_installations import DatabaseStateStore
from bot.ports import EventHandler
from bot.replies import Outcome
from storage import ledger
from storage.ledger import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

OUTBOX_INTERVAL = 1.0
READY_TIMEOUT = 2.0
SHUTDOWN_GRACE = 5.0

Job = Callable[[], Coroutine[Any, Any, None]]
"""Work the server runs in the background for as long as it serves (the scheduler hook)."""


@dataclass
class Metrics:
    """Counters kept in this process, shown at /metrics in Prometheus' text format."""

    events: Counter[tuple[str, str]] = field(default_factory=Counter)
    event_failures: Counter[str] = field(default_factory=Counter)
    slack_requests: Counter[int] = field(default_factory=Counter)
    delivered: int = 0

    def render(self, outbox: dict[str, int], dead: dict[tuple[str, str], int] | None = None) -> str:
        lines = [
            "# HELP okrbot_events_handled_total Chat events handled, by platform and kind.",
            "# TYPE okrbot_events_handled_total counter",
            *(
                f'okrbot_events_handled_total{{platform="{p}",kind="{k}"}} {n}'
                for (p, k), n in sorted(self.events.items())
            ),
            "# HELP okrbot_events_failed_total Chat events that could not be handled.",
            "# TYPE okrbot_events_failed_total counter",
            *(
                f'okrbot_events_failed_total{{platform="{p}"}} {n}'
                for p, n in sorted(self.event_failures.items())
            ),
            "# HELP okrbot_slack_requests_total Requests on /slack/events, by HTTP status.",
            "# TYPE okrbot_slack_requests_total counter",
            *(
                f'okrbot_slack_requests_total{{status="{s}"}} {n}'
                for s, n in sorted(self.slack_requests.items())
            ),
            "# HELP okrbot_outbox_delivered_total Messages the outbox loop delivered.",
            "# TYPE okrbot_outbox_delivered_total counter",
            f"okrbot_outbox_delivered_total {self.delivered}",
            "# HELP okrbot_outbox_messages Outbound messages in the outbox, by status.",
            "# TYPE okrbot_outbox_messages gauge",
            *(f'okrbot_outbox_messages{{status="{s}"}} {n}' for s, n in sorted(outbox.items())),
            "# HELP okrbot_outbox_dead_letters Messages given up, by platform and reason class.",
            "# TYPE okrbot_outbox_dead_letters gauge",
            *(
                f'okrbot_outbox_dead_letters{{platform="{p}",reason="{r}"}} {n}'
                for (p, r), n in sorted((dead or {}).items())
            ),
        ]
        return "\n".join(lines) + "\n"


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


class OutboxLoop:
    """Every second, or at once after an event, perform due runs and deliver the outbox."""

    def __init__(self, okrbot: Okrbot, metrics: Metrics, interval: float = OUTBOX_INTERVAL):
        self._okrbot = okrbot
        self._metrics = metrics
        self._interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                report = await self._okrbot.scheduler.catch_up()
                self._metrics.delivered += report.delivered
            except Exception:  # the database may be away for a moment; try again later
                log.exception("the outbox could not be delivered; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)


def counted(
    handle: EventHandler, metrics: Metrics, after_event: Callable[[], None]
) -> EventHandler:
    """Count each event handled (or failed), and wake the outbox loop after it."""

    async def handle_counted(event: ChatEvent) -> Outcome:
        try:
            outcome = await handle(event)
        except Exception:
            metrics.event_failures[event.platform.value] += 1
            raise
        metrics.events[(event.platform.value, event.kind.value)] += 1
        after_event()  # it may have written messages, or work due now (/retro start)
        return outcome

    return handle_counted


@dataclass
class SlackWiring:
    connection: platforms.SlackConnection
    app: AsyncApp | None  # None: no signing secret nor app token, so it only sends
    verifier: SignatureVerifier | None  # None: no signing secret, so HTTP is refused


def wire_slack(
    okrbot: Okrbot, handle: EventHandler, background: Background, *, pacing: float = 1.0
) -> SlackWiring | None:
    """Serve Slack when it is configured: its connection (bot.entry.platforms) and the Bolt app."""
    settings = okrbot.settings
    connection = platforms.connect_slack(okrbot, pacing=pacing)
    if connection is None:
        return None
    if not settings.slack_signing_secret and not settings.slack_app_token:
        return SlackWiring(connection, None, None)  # it sends (the outbox), but takes nothing
    store = connection.store
    oauth = (
        bolt.oauth_settings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=settings.slack_scopes,
            installation_store=store,
            state_store=DatabaseStateStore(okrbot.sessions, okrbot.clock),
        )
        if store is not None
        else None
    )
    app = bolt.create_app(
        listeners=SlackListeners(handle, okrbot.clock, background.spawn),
        signing_secret=settings.slack_signing_secret,
        api_url=settings.slack_api_url,
        token=settings.slack_bot_token,
        oauth=oauth,
    )
    secret = settings.slack_signing_secret
    return SlackWiring(connection, app, SignatureVerifier(secret) if secret else None)


@dataclass
class TeamsWiring:
    connection: platforms.TeamsConnection
    endpoint: TeamsEndpoint


def wire_teams(
    okrbot: Okrbot, handle: EventHandler, *, pacing: float | None = None
) -> TeamsWiring | None:
    """Serve Teams when it is configured (bot.entry.platforms says when); None leaves it off."""
    connection = platforms.connect_teams(okrbot, pacing=pacing)
    if connection is None:
        return None
    endpoint = TeamsEndpoint(
        auth=connection.auth,
        handle=handle,
        store=connection.store,
        port=connection.port,
        clock=okrbot.clock,
        may_reply=connection.connectors.may_call,
    )
    return TeamsWiring(connection, endpoint)


class Routes:
    """The HTTP handlers, over one okrbot."""

    def __init__(
        self,
        okrbot: Okrbot,
        slack: SlackWiring | None,
        metrics: Metrics,
        teams: TeamsWiring | None,
    ) -> None:
        self._okrbot = okrbot
        self._slack = slack
        self._metrics = metrics
        self._teams = teams

    async def slack_events(self, request: web.Request) -> web.Response:
        response = await self._slack_events(request)
        self._metrics.slack_requests[response.status] += 1
        return response

    async def _slack_events(self, request: web.Request) -> web.Response:
        if self._slack is None or self._slack.verifier is None or self._slack.app is None:
            return web.Response(status=503, text="Slack is not configured")
        try:
            body = await request.text()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="the body is too large")
        # Not UTF-8 or an unknown charset, or a Content-Encoding the body does not decompress by.
        except (ValueError, LookupError, web.RequestPayloadError, HttpProcessingError):
            answer = web.Response(status=400, text="unreadable body")
            answer.force_close()  # the rest of the stream cannot be read either
            return answer
        # Checked here before parsing, so an unsigned malformed body is a 401 and not a 400.
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signed = request.headers.get("X-Slack-Signature", "")
        if not (stamp.isdigit() and self._slack.verifier.is_valid(body, stamp, signed)):
            return web.Response(status=401, text="invalid request signature")
        # Parsed within bounds and checked for shape before Bolt, which trusts every field.
        try:
            parsed = shapes.parse(body, request.content_type)
        except Unreadable as error:
            return web.Response(status=400, text=f"malformed body: {error}")
        problem = shapes.check(parsed)
        if problem is not None:
            if parsed.get("type") == "event_callback":
                # An event no retry can make readable: 200, or Slack sends it again and again.
                log.info("ignored a Slack event okrbot cannot read (%s)", problem)
                return web.Response(status=200)
            return web.Response(status=400, text=f"malformed body: {problem}")
        try:
            bolt_request = await to_bolt_request(request)
        except ValueError:  # json.JSONDecodeError included
            return web.Response(status=400, text="malformed body")
        return await to_aiohttp_response(await self._slack.app.async_dispatch(bolt_request))

    async def oauth(self, request: web.Request) -> web.Response:
        app = self._slack.app if self._slack is not None else None
        flow = app.oauth_flow if app is not None else None
        if flow is None:
            return web.Response(status=404, text="Slack OAuth is not configured")
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))
        return await to_aiohttp_response(await flow.handle_callback(bolt_request))

    async def teams(self, request: web.Request) -> web.Response:
        if self._teams is None:  # never configured: nothing is read, nothing is sent
            return web.Response(status=404, text="Microsoft Teams is not configured")
        return await self._teams.endpoint.on_request(request)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(self, request: web.Request) -> web.Response:
        store = self._slack.connection.store if self._slack is not None else None
        lost = sorted(store.unreadable_now()) if store is not None else []
        try:
            async with asyncio.timeout(READY_TIMEOUT), self._okrbot.engine.connect() as db:
                await db.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("not ready: the database does not answer (%s)", type(error).__name__)
            return web.Response(status=503, text="database unavailable")
        if lost:  # ready for every other workspace, but say it: these have stopped working
            return web.Response(text=f"ready; {len(lost)} {keys.unreadable_detail(lost)}")
        return web.Response(text="ready")

    async def metrics(self, request: web.Request) -> web.Response:
        outbox: dict[str, int] = {}
        dead: dict[tuple[str, str], int] = {}
        try:
            async with asyncio.timeout(READY_TIMEOUT), self._okrbot.sessions() as session:
                rows = await session.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.status != OutboxStatus.SENT)
                    .group_by(OutboxMessage.status)
                )
                outbox = {str(OutboxStatus(s).value): int(n) for s, n in rows}
                dead = await ledger.dead_letters(session)
        except Exception as error:
            log.warning("metrics without the outbox: %s", type(error).__name__)
        body = self._metrics.render({"pending": 0, "failed": 0} | outbox, dead)
        return web.Response(text=body, content_type="text/plain", charset="utf-8")


@dataclass
class Server:
    """Everything `okrbot serve` runs, before it listens on a port."""

    okrbot: Okrbot
    web_app: web.Application
    slack: SlackWiring | None
    metrics: Metrics
    background: Background
    outbox: OutboxLoop
    teams: TeamsWiring | None

    async def start_workers(self, *, scheduler: bool, jobs: Sequence[Job] = ()) -> None:
        """Start the outbox loop, the scheduler and any extra jobs (unless --no-scheduler)."""
        if scheduler:
            self.background.spawn(self.outbox.run())
            self.okrbot.scheduler.start()
        for job in jobs:
            self.background.spawn(job())

    async def stop(self) -> None:
        self.okrbot.scheduler.stop()
        await self.background.drain(within=5.0)
        if self.slack is not None:
            await self.slack.connection.close()
        if self.teams is not None:
            await self.teams.connection.close()


def create_server(
    okrbot: Okrbot, *, pacing: float = 1.0, teams_pacing: float | None = None
) -> Server:
    """Wire okrbot to its routes; Slack and Teams join when their settings are there."""
    metrics = Metrics()
    background = Background()
    loop = OutboxLoop(okrbot, metrics)
    handle = counted(okrbot.handle, metrics, loop.wake)
    slack = wire_slack(okrbot, handle, background, pacing=pacing)
    teams = wire_teams(okrbot, handle, pacing=teams_pacing)
    routes = Routes(okrbot, slack, metrics, teams)
    # No lingering: aiohttp reads what is left of a body nobody read, and logs a traceback when
    # that body cannot be decompressed; such a connection is closed after the answer instead.
    app = web.Application(client_max_size=1024 * 1024, handler_args={"lingering_time": 0})
    app.add_routes(
        [
            web.post("/slack/events", routes.slack_events),
            web.get(bolt.INSTALL_PATH, routes.oauth),
            web.get(bolt.REDIRECT_PATH, routes.oauth),
            web.post("/api/messages", routes.teams),
            web.get("/healthz", routes.healthz),
            web.get("/readyz", routes.readyz),
            web.get("/metrics", routes.metrics),
        ]
    )
    return Server(okrbot, app, slack, metrics, background, loop, teams)


async def serve(
    settings: Settings,
    *,
    host: str = "0.0.0.0",  # noqa: S104 - a server in a container listens on every interface
    port: int = 3000,
    socket_mode: bool = False,
    scheduler: bool = True,
    jobs: Sequence[Job] = (),
) -> int:
    """Run until SIGINT or SIGTERM: HTTP on host:port, and Socket Mode if asked."""
    okrbot = await build(settings)
    server = create_server(okrbot)
    # On SIGTERM, requests in flight get a few seconds to finish; a platform retries the rest.
    runner = web.AppRunner(server.web_app, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    socket = None
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("okrbot serves on http://%s:%s", host, port)
        if socket_mode:
            if server.slack is None or server.slack.app is None or not settings.slack_app_token:
                log.error("Socket Mode needs SLACK_APP_TOKEN and a bot token or OAuth")
                return 2
            socket = socket_mode_handler(server.slack.app, settings.slack_app_token)
            await socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("okrbot is connected to Slack in Socket Mode")
        await server.start_workers(scheduler=scheduler, jobs=jobs)
        await _until_stopped()
    finally:
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
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
