"""`okrbot work`: what `okrbot serve` runs in the background, in a process that takes no requests.

It handles the events that `okrbot serve` replicas kept in the inbox (those run with
``OKRBOT_INBOX_WORKER=off``), delivers the outbox, performs due runs and, unless told not to,
runs the scheduler; it connects every configured platform as serve does, to send. It listens
only for ``GET /healthz``, ``/readyz`` and ``/metrics``, for orchestrators' probes and for
Prometheus. Nothing in another process wakes its inbox worker when an event is kept, so the
worker looks for new events every ``poll`` seconds while it has none to handle.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.entry.app import build
from bot.entry.platforms import PLATFORMS, Registered
from bot.entry.server import Job, create_server, run
from bot.entry.settings import Settings

log = logging.getLogger(__name__)

PORT = 3001
"""`okrbot work`'s default port: next to serve's 3000, so both run on one host as they are."""

POLL = 0.1
"""Seconds between the inbox worker's looks for new events while it has none to handle."""


async def work(
    settings: Settings,
    *,
    host: str = "0.0.0.0",  # noqa: S104 - a worker in a container is probed on every interface
    port: int = PORT,
    scheduler: bool = True,
    poll: float = POLL,
    jobs: Sequence[Job] = (),
    platforms: Sequence[Registered] = PLATFORMS,
) -> int:
    """Run until SIGINT or SIGTERM: the inbox worker, the outbox and due-runs loops, the
    scheduler (``scheduler``), and the probes on host:port."""
    if not settings.inbox_worker:
        log.info("OKRBOT_INBOX_WORKER=off concerns okrbot serve; okrbot work handles the inbox")
    okrbot = await build(replace(settings, inbox_worker=True), platforms=platforms)
    server = create_server(okrbot, requests=False, inbox_interval=poll)
    return await run(okrbot, server, host=host, port=port, scheduler=scheduler, jobs=jobs)
