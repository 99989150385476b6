"""The Grafana dashboard and the Prometheus alert rules in deploy/ name only metrics that
/metrics exposes, and each alert says what it means."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.server.rig import SlackRig

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "okrbot.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
METRIC = re.compile(r"\b(?:okrbot|process|python)_[a-z0-9_]+\b")
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("_count", "_sum", "_created"),
}


def dashboard_queries() -> list[str]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def exposed(text: str) -> set[str]:
    """Every series name a scrape can carry, labelled children or not yet."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        suffixes = SUFFIXES.get(family.type, ("",))
        names.update(family.name + suffix for suffix in suffixes)
    return names


async def test_the_dashboard_and_the_alerts_name_only_metrics_okrbot_exposes(
    slack_sqlite: SlackRig,
) -> None:
    text = await (await slack_sqlite.client.get("/metrics")).text()
    named = {name for query in dashboard_queries() for name in METRIC.findall(query)}
    named |= {name for rule in alert_rules() for name in METRIC.findall(rule["expr"])}
    assert named, "no metric found in the dashboard or the alerts"
    assert named <= exposed(text), named - exposed(text)


def test_the_dashboard_shows_what_operators_watch() -> None:
    queries = " ".join(dashboard_queries())
    for metric in (
        "okrbot_events_received_total",
        "okrbot_ack_seconds_bucket",
        "okrbot_outbox_pending_messages",
        "okrbot_outbox_oldest_pending_age_seconds",
        "okrbot_outbox_rate_limited_total",
        "okrbot_outbox_dead_letters",
        "okrbot_scheduler_lag_seconds_bucket",
    ):
        assert metric in queries, metric
    assert "histogram_quantile(0.5," in queries and "histogram_quantile(0.99," in queries


def test_every_alert_has_a_severity_and_says_what_to_do() -> None:
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= {
        "OkrbotDeadLettersRising",
        "OkrbotAckSlow",
        "OkrbotOutboxStuck",
        "OkrbotSchedulerLate",
    }
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_the_alerts_are_documented_in_the_runbook() -> None:
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for rule in alert_rules():
        assert rule["alert"] in runbook, rule["alert"]
