"""What `okrbot serve` counts in its process, shown at /metrics in Prometheus' text format."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.events import ChatEvent
from bot.ports import EventHandler
from bot.replies import Outcome


@dataclass
class Metrics:
    """Counters kept in this process, shown at /metrics in Prometheus' text format."""

    events: Counter[tuple[str, str]] = field(default_factory=Counter)
    event_failures: Counter[str] = field(default_factory=Counter)
    slack_requests: Counter[int] = field(default_factory=Counter)
    delivered: int = 0

    def count_delivered(self, messages: int) -> None:
        self.delivered += messages

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
