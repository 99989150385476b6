"""A served okrbot per test function (examples reuse it), and what every answer must keep."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from bot.entry.server import Server
from storage.schema import metadata
from tests.server.rig import SlackRig
from tests.server.teams_rig import TeamsRig

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
    async with server.okrbot.sessions() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in metadata.tables.items()
        }


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every error logged with a traceback since the log was last cleared."""
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.exc_info
    ]


@pytest.fixture
async def slack_sqlite(sqlite_url: str) -> AsyncIterator[SlackRig]:
    rig = await SlackRig.start(sqlite_url)
    try:
        yield rig
    finally:
        await rig.close()


@pytest.fixture
async def teams_sqlite(sqlite_url: str) -> AsyncIterator[TeamsRig]:
    rig = await TeamsRig.start(sqlite_url)
    try:
        yield rig
    finally:
        await rig.close()
