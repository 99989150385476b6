"""Every benchmark in bench/ loads: docs/benchmarks.md gives each one's command, so a renamed
function or a moved module must fail here, not on the day someone re-runs the figures."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import bench

# A benchmark is a module run with `python -m bench.<name>`; the others are its helpers.
BENCHMARKS = sorted(
    path.stem
    for path in Path(bench.__path__[0]).glob("*.py")
    if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
)


def test_the_benchmarks_are_found() -> None:
    assert {"http_ingest", "inbox", "inbox_worker", "fanout_company", "digest_company"} <= set(
        BENCHMARKS
    )


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_loads_with_its_entry_point(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "main", None)), f"bench.{name} has no main()"
