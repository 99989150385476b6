"""Every benchmark in bench/ loads: docs/benchmarks.md gives each one's command, so a renamed
function or a moved module must fail here, not on the day someone re-runs the figures."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench

HELPERS = {"common", "company", "http_servers", "bare_bolt"}  # imported by the benchmarks
BENCHMARKS = sorted(
    info.name for info in pkgutil.iter_modules(bench.__path__) if info.name not in HELPERS
)


def test_the_benchmarks_are_found() -> None:
    assert {"http_ingest", "inbox", "inbox_worker", "fanout_company", "digest_company"} <= set(
        BENCHMARKS
    )


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_loads_with_its_entry_point(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "main", None)), f"bench.{name} has no main()"
