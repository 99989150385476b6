"""A served okrbot per test function (examples reuse it), and what every answer must keep."""

from __future__ import annotations

import logging
import os

import pytest
from hypothesis import HealthCheck, settings

from bot.entry.server import Server
from storage.schema import metadata
from tests.support.rows import count

# One rig serves every example of a test, so hypothesis' per-example fixture check is moot.
FUZZ = settings(
    max_examples=int(os.environ.get("OKRBOT_FUZZ_EXAMPLES", "60")),
    deadline=None,  # a busy machine is not a bug; the test's own timeout bounds the run
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    derandomize=os.environ.get("CI") == "true",  # CI reruns the same cases; locally they vary
    database=None,
)


async def stored(server: Server) -> dict[str, int]:
    """How many rows each table holds."""
    return {name: await count(server.okrbot, table) for name, table in metadata.tables.items()}


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every error logged with a traceback since the log was last cleared."""
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.exc_info
    ]
