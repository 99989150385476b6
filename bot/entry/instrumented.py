"""The event handler and the work after an ack, wrapped so that :class:`Metrics` sees them."""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import Any

from bot.entry.metrics import Metrics, Spawn
from bot.events import ChatEvent
from bot.ports import EventHandler
from bot.replies import Outcome


def counted(handle: EventHandler, metrics: Metrics) -> EventHandler:
    """Count each event handled."""

    async def handle_counted(event: ChatEvent) -> Outcome:
        outcome = await handle(event)
        metrics.handled.labels(event.platform, event.kind.value).inc()
        return outcome

    return handle_counted


def timed_after_ack(spawn: Spawn, metrics: Metrics, platform: str) -> Spawn:
    """Spawn the work an edge does after its ack, observing how long after the ack it ends."""

    def spawn_timed(work: Coroutine[Any, Any, None]) -> None:
        acked = time.perf_counter()  # the listener spawns it right after the ack

        async def timed() -> None:
            try:
                await work
            finally:
                metrics.after_ack.labels(platform).observe(time.perf_counter() - acked)

        spawn(timed())

    return spawn_timed
