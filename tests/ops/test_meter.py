"""What the runtime counts through its Meter, read from an okrbot's own registry."""

from __future__ import annotations

from datetime import timedelta

from bot.events import EventKind
from retrospectives.cycles import jobs
from tests.support.harness import Harness


async def test_a_retried_event_is_received_twice_and_de_duplicated_once(bot: Harness) -> None:
    registry = bot.app.metrics.registry
    event = bot.event(EventKind.COMMAND, text="/okr team create Checkout")
    await bot.send(event)
    await bot.send(event)  # the platform's retry: same event id
    labels = {"platform": "console", "kind": "command"}
    assert registry.get_sample_value("okrbot_events_received_total", labels) == 2
    assert registry.get_sample_value("okrbot_events_deduplicated_total", labels) == 1
    assert registry.get_sample_value("okrbot_events_failed_total", labels) is None


async def test_a_run_performed_late_is_observed_with_how_late_it_was(bot: Harness) -> None:
    await bot.say("/okr team create Checkout")
    await bot.say("/retro start")  # due at once
    report = await bot.tick(bot.clock.now() + timedelta(seconds=90))
    assert report.performed >= 1
    registry = bot.app.metrics.registry
    started = {"job": jobs.START_JOB}
    assert registry.get_sample_value("okrbot_scheduler_lag_seconds_count", started) == 1
    assert registry.get_sample_value("okrbot_scheduler_lag_seconds_sum", started) == 90
    await bot.deliver()
    delivered = registry.get_sample_value("okrbot_outbox_delivered_total", {"platform": "console"})
    assert delivered is not None and delivered >= 1
