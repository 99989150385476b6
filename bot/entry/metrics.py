"""What okrbot counts in its process, shown at /metrics by prometheus_client.

Each okrbot keeps its metrics in a registry of its own (with the process's and the garbage
collector's), so two servers in one process never mix their counts. The runtime counts through
:class:`bot.ports.Meter`, which :class:`Metrics` is; the outbox's gauges are read from the
database when Prometheus asks (:func:`outbox_snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.slack.settings import SLACK
from storage import dead_letters, inbox_watch
from storage.core import Workspace
from storage.outbox import OutboxMessage, OutboxStatus

ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0)
"""Seconds; Slack waits 3 s for an ack, so the buckets are fine below that."""
AFTER_ACK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
"""Seconds; a reply after an ack may wait out rate limits for two minutes."""
INBOX_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0)
"""Seconds from an event's ack to its handling: milliseconds normally, longer on retries."""
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0, 21600.0)
"""Seconds; the scheduler ticks every 30 s, and a run missed by six hours is skipped."""

Spawn = Callable[[Coroutine[Any, Any, None]], None]


@dataclass(frozen=True, slots=True)
class OutboxSnapshot:
    """The outbox as the database holds it at one moment."""

    by_status: dict[str, int] = field(default_factory=dict)
    dead: dict[tuple[str, str], int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    oldest_age: dict[str, float] = field(default_factory=dict)


class Metrics:
    """okrbot's metrics and the process's, in one registry; a :class:`bot.ports.Meter`."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        by_event = ("platform", "kind")
        self.received = Counter(
            "okrbot_events_received", "Chat events received.", by_event, registry=registry
        )
        self.repeated = Counter(
            "okrbot_events_deduplicated",
            "Chat events that were retries of one already handled: they changed nothing.",
            by_event,
            registry=registry,
        )
        self.handled = Counter(
            "okrbot_events_handled", "Chat events handled.", by_event, registry=registry
        )
        self.failed = Counter(
            "okrbot_events_failed",
            "Chat events that could not be handled (the platform is asked to retry).",
            by_event,
            registry=registry,
        )
        self.slack_requests = Counter(
            "okrbot_slack_requests",
            "Requests on /slack/events, by HTTP status.",
            ("status",),
            registry=registry,
        )
        self.ack = Histogram(
            "okrbot_ack_seconds",
            "Time the HTTP edge took to answer the platform's request.",
            ("platform",),
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self.after_ack = Histogram(
            "okrbot_ack_to_processed_seconds",
            "Time from the ack until the work answered after it was done.",
            ("platform",),
            buckets=AFTER_ACK_BUCKETS,
            registry=registry,
        )
        self.delivered = Counter(
            "okrbot_outbox_delivered",
            "Outbox messages the platform took.",
            ("platform",),
            registry=registry,
        )
        self.rate_limited = Counter(
            "okrbot_outbox_rate_limited",
            "Outbox sends the platform answered with a rate limit (429): due again later.",
            ("platform",),
            registry=registry,
        )
        self.dead_lettered = Counter(
            "okrbot_outbox_dead_lettered",
            "Outbox messages given up by this process, by platform and reason class.",
            ("platform", "reason"),
            registry=registry,
        )
        self.messages = Gauge(
            "okrbot_outbox_messages",
            "Outbound messages in the outbox, by status.",
            ("status",),
            registry=registry,
        )
        self.dead_letters = Gauge(
            "okrbot_outbox_dead_letters",
            "Messages given up and still kept, by platform and reason class.",
            ("platform", "reason"),
            registry=registry,
        )
        self.pending = Gauge(
            "okrbot_outbox_pending_messages",
            "Messages waiting to be sent, by platform.",
            ("platform",),
            registry=registry,
        )
        self.oldest_age = Gauge(
            "okrbot_outbox_oldest_pending_age_seconds",
            "How long the oldest message waiting to be sent has waited, by platform.",
            ("platform",),
            registry=registry,
        )
        self.scheduler_lag = Histogram(
            "okrbot_scheduler_lag_seconds",
            "How long after it fell due a scheduled run was performed, by job.",
            ("job",),
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self._inbox_metrics(registry)

    def _inbox_metrics(self, registry: CollectorRegistry) -> None:
        self.inbox_lag = Histogram(
            "okrbot_inbox_ack_to_handled_seconds",
            "Time from storing an event in the inbox (its ack) until it was handled.",
            ("platform",),
            buckets=INBOX_BUCKETS,
            registry=registry,
        )
        self.inbox_dead_lettered = Counter(
            "okrbot_inbox_dead_lettered",
            "Inbox events given up by this process after their tries.",
            ("platform",),
            registry=registry,
        )
        self.inbox_pending = Gauge(
            "okrbot_inbox_pending_events",
            "Events stored and acked, not yet handled, by platform (the inbox's depth).",
            ("platform",),
            registry=registry,
        )
        self.inbox_oldest = Gauge(
            "okrbot_inbox_oldest_pending_age_seconds",
            "How long the oldest event waiting in the inbox has waited, by platform.",
            ("platform",),
            registry=registry,
        )
        self.inbox_dead_letters = Gauge(
            "okrbot_inbox_dead_letters",
            "Inbox events given up and kept for an operator to replay, by platform.",
            ("platform",),
            registry=registry,
        )

    def inbox_handled(self, platform: str, lag: float) -> None:
        """An event kept in the inbox was handled ``lag`` seconds after it was stored."""
        self.inbox_lag.labels(platform).observe(max(lag, 0.0))

    def inbox_dead(self, platform: str) -> None:
        self.inbox_dead_lettered.labels(platform).inc()

    def show_inbox(self, depth: inbox_watch.Depth) -> None:
        """Set the inbox's gauges to what the database holds now."""
        for gauge in (self.inbox_pending, self.inbox_dead_letters, self.inbox_oldest):
            gauge.clear()
        for platform, count in depth.pending.items():
            self.inbox_pending.labels(platform).set(count)
            self.inbox_oldest.labels(platform).set(depth.oldest_age.get(platform, 0.0))
        for platform, count in depth.dead.items():
            self.inbox_dead_letters.labels(platform).set(count)

    def event_received(self, platform: str, kind: str) -> None:
        self.received.labels(platform, kind).inc()

    def event_repeated(self, platform: str, kind: str) -> None:
        self.repeated.labels(platform, kind).inc()

    def event_failed(self, platform: str, kind: str) -> None:
        self.failed.labels(platform, kind).inc()

    def message_sent(self, platform: str) -> None:
        self.delivered.labels(platform).inc()

    def message_rate_limited(self, platform: str) -> None:
        self.rate_limited.labels(platform).inc()

    def message_dead(self, platform: str, reason: str) -> None:
        self.dead_lettered.labels(platform, reason).inc()

    def run_performed(self, job: str, late: float) -> None:
        self.scheduler_lag.labels(job).observe(max(late, 0.0))

    def answered(self, platform: str, status: int) -> None:
        """A platform's request was answered (its ack): Slack's are counted by status."""
        if platform == SLACK:
            self.slack_requests.labels(str(status)).inc()

    def answers(self, platform: str) -> Callable[[int], None]:
        """:meth:`answered` for one platform, each status's counter kept once found: finding a
        labelled child costs more than counting on it (3.1-3.7 us against 1.1 us a request for
        the ack's histogram and this counter, in ``okrbot serve``'s hot path)."""
        if platform != SLACK:
            return lambda status: None
        found: dict[int, Any] = {}

        def count(status: int) -> None:
            counter = found.get(status)
            if counter is None:
                counter = found[status] = self.slack_requests.labels(str(status))
            counter.inc()

        return count

    def show(self, outbox: OutboxSnapshot) -> None:
        """Set the outbox's gauges to what the database holds now (series gone are dropped)."""
        for gauge in (self.messages, self.dead_letters, self.pending, self.oldest_age):
            gauge.clear()
        for status, count in ({"pending": 0, "failed": 0} | outbox.by_status).items():
            self.messages.labels(status).set(count)
        for (platform, reason), count in outbox.dead.items():
            self.dead_letters.labels(platform, reason).set(count)
        for platform, count in outbox.pending.items():
            self.pending.labels(platform).set(count)
            self.oldest_age.labels(platform).set(outbox.oldest_age.get(platform, 0.0))

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The registry in the format the scraper accepts, and its content type."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


async def outbox_snapshot(session: AsyncSession, now: datetime) -> OutboxSnapshot:
    """Count the outbox's messages by status, its dead letters, and what waits per platform."""
    statuses = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status != OutboxStatus.SENT)
        .group_by(OutboxMessage.status)
    )
    waiting = await session.execute(
        select(Workspace.platform, func.count(), func.min(OutboxMessage.created_at))
        .join(Workspace, Workspace.id == OutboxMessage.workspace_id)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(Workspace.platform)
    )
    pending: dict[str, int] = {}
    oldest_age: dict[str, float] = {}
    for platform, count, oldest in waiting:
        pending[platform] = int(count)
        oldest_age[platform] = max((now - oldest).total_seconds(), 0.0)
    return OutboxSnapshot(
        by_status={str(OutboxStatus(s).value): int(n) for s, n in statuses},
        dead=await dead_letters.dead_letters(session),
        pending=pending,
        oldest_age=oldest_age,
    )
