"""A served okrbot and a fake Slack for every server test, on each real database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.server.rig import SlackRig
from tests.server.teams_rig import TeamsRig


@pytest.fixture
async def slack(database_url: str) -> AsyncIterator[SlackRig]:
    rig = await SlackRig.start(database_url)
    try:
        yield rig
    finally:
        await rig.close()


@pytest.fixture
async def slack_sqlite(sqlite_url: str) -> AsyncIterator[SlackRig]:
    rig = await SlackRig.start(sqlite_url)
    try:
        yield rig
    finally:
        await rig.close()


@pytest.fixture
async def teams(database_url: str) -> AsyncIterator[TeamsRig]:
    rig = await TeamsRig.start(database_url)
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
