"""Fixtures shared by every test: real databases and a bot to talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support import databases

if TYPE_CHECKING:
    from tests.adapters.slack.fake_slack import FakeSlack
    from tests.server.rig import SlackRig
    from tests.server.teams_rig import TeamsRig
    from tests.support.harness import Harness


@pytest.fixture(scope="session", autouse=True)
def _private_postgres_database() -> Iterator[None]:
    """Drop the run's own PostgreSQL database, if one was made, when the run ends."""
    yield
    databases.drop_private_database()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_ready() -> bool:
    """PostgreSQL's test database, migrated from scratch once per run (or the test skips)."""
    databases.postgres_or_skip()
    databases.run_blocking(databases.reset_postgres())
    return True


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> AsyncIterator[str]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield databases.fresh_sqlite_url(sqlite_template, tmp_path)
        return
    request.getfixturevalue("postgres_ready")
    await databases.empty_postgres()
    yield databases.POSTGRES_URL


@pytest.fixture
async def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database, for tests that need not run twice."""
    return databases.fresh_sqlite_url(sqlite_template, tmp_path)


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[Harness]:
    """okrbot on each real database, talking to a fake platform."""
    # Imported here so that storage and migration tests run without the composition root.
    from tests.support.harness import Harness

    harness = await Harness.start(database_url)
    try:
        yield harness
    finally:
        await harness.close()


# okrbot served over real HTTP, with a fake Slack Web API or a fake Bot Connector at its edge.
# The rigs are imported inside the fixtures, as the harness is above.


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack Web API alone, for `okrbot serve` processes a test starts itself."""
    from tests.adapters.slack.fake_slack import FakeSlack

    fake = await FakeSlack().start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def slack(database_url: str) -> AsyncIterator[SlackRig]:
    from tests.server.rig import SlackRig

    async with await SlackRig.start(database_url) as rig:
        yield rig


@pytest.fixture
async def slack_sqlite(sqlite_url: str) -> AsyncIterator[SlackRig]:
    from tests.server.rig import SlackRig

    async with await SlackRig.start(sqlite_url) as rig:
        yield rig


@pytest.fixture(params=["agents", "botbuilder"])
def teams_sdk(request: pytest.FixtureRequest) -> str:
    """Each Teams scenario runs on both hosts: the Microsoft 365 Agents SDK and botbuilder."""
    return str(request.param)


@pytest.fixture
async def teams(database_url: str, teams_sdk: str) -> AsyncIterator[TeamsRig]:
    from tests.server.teams_rig import TeamsRig

    async with await TeamsRig.start(database_url, teams_sdk=teams_sdk) as rig:
        yield rig


@pytest.fixture
async def teams_sqlite(sqlite_url: str, teams_sdk: str) -> AsyncIterator[TeamsRig]:
    from tests.server.teams_rig import TeamsRig

    async with await TeamsRig.start(sqlite_url, teams_sdk=teams_sdk) as rig:
        yield rig
