"""Nothing acked is lost, nothing is stored twice: `okrbot serve` killed or its database restarted.

An acked event is kept in the inbox and handled after the ack, so each test waits for the
inbox to empty (the restarted server handles what the killed one acked) before counting.

Real processes and real HTTP: signed Events API requests go to an `okrbot serve` process the way
Slack sends them, several at a time. Slack retries every request it did not get a 200 for (same
event id, `X-Slack-Retry-Num` set), and so does the sender here. Mid-way the server is killed
with SIGKILL and started again, or the PostgreSQL server is restarted under it. At the end every
event is stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.engine import create_engine
from storage.inbox import InboxEvent
from storage.okr import LearningStory
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signed_headers
from tests.support import databases, slack_serving
from tests.support.serving import ServeProcess, wait_until_up

SECRET = "fault-secret"
EVENTS = 240
AT_ONCE = 8


class Replica(ServeProcess):
    """`okrbot serve`, started again after each kill, each run's stderr kept in a file."""

    def log(self) -> str:
        """What the server processes wrote to stderr (shown when an assertion fails)."""
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.directory.glob("serve-*.log"))
        )

    async def start(
        self, session: aiohttp.ClientSession, stderr: int = asyncio.subprocess.DEVNULL
    ) -> None:
        runs = len(list(self.directory.glob("serve-*.log")))
        with (self.directory / f"serve-{runs}.log").open("wb") as log:
            await self.spawn(log.fileno())
        await wait_until_up(self.base, session)


def mention(number: int) -> str:
    return slack_serving.mention(
        event_id=f"EvFault{number:05d}",
        user=f"U{number % 20}",
        channel="C1",
        text=f"story learning learned: fact number {number} holds",
        ts=f"1774180000.{number:06d}",
    )


def command(text: str) -> str:
    return urlencode(
        {"command": "/okr", "text": text, "team_id": "T1", "channel_id": "C1", "user_id": "U1"}
    )


async def post(
    session: aiohttp.ClientSession,
    base: str,
    body: str,
    content_type: str,
    retry: int = 0,
) -> int:
    """Send one signed request as Slack does; the status, or 0 when nothing answered."""
    headers = signed_headers(SECRET, body, content_type)
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    try:
        async with session.post(f"{base}/slack/events", data=body, headers=headers) as answer:
            return answer.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


def environment(database_url: str, fake: FakeSlack) -> dict[str, str]:
    # The events a killed server held come back to the next one when their lease ends.
    found = slack_serving.environment(database_url, fake, secret=SECRET, lease_seconds=3)
    return found | {"PYTHONUNBUFFERED": "1"}


async def stored(database_url: str) -> tuple[int, int]:
    """(stories, distinct story texts) in the database, once the acked events are handled."""
    engine = create_engine(database_url)
    try:
        deadline = time.monotonic() + 60
        async with engine.connect() as connection:
            while await connection.scalar(select(func.count()).select_from(InboxEvent)):
                assert time.monotonic() < deadline, "acked events still wait in the inbox"
                await connection.rollback()
                await asyncio.sleep(0.1)
            total = await connection.scalar(select(func.count()).select_from(LearningStory))
            distinct = await connection.scalar(
                select(func.count(func.distinct(LearningStory.text)))
            )
    finally:
        await engine.dispose()
    return int(total or 0), int(distinct or 0)


Fault = Callable[[], Awaitable[None]]


async def ingest_through(
    replica: Replica, session: aiohttp.ClientSession, fault: Fault, *, fault_after: int
) -> dict[int, int]:
    """Send every event, AT_ONCE at a time, until each is acked; cause ``fault`` once mid-way.

    The fault runs while requests keep coming, as they would from Slack. Returns how many tries
    each event took.
    """
    tries: dict[int, int] = {}
    waiting = list(range(EVENTS))
    acked = 0
    fault_task: asyncio.Future[None] | None = None
    deadline = time.monotonic() + 90
    while waiting:
        assert time.monotonic() < deadline, f"{len(waiting)} events never acked"
        batch, waiting = waiting[:AT_ONCE], waiting[AT_ONCE:]
        statuses = await asyncio.gather(
            *(
                post(session, replica.base, mention(n), "application/json", tries.get(n, 0))
                for n in batch
            )
        )
        for number, status in zip(batch, statuses, strict=True):
            tries[number] = tries.get(number, 0) + 1
            if status == 200:
                acked += 1
                continue
            assert status in (0, 503), f"event {number} got {status}:\n{replica.log()[-3000:]}"
            waiting.append(number)  # Slack sends it again
        if fault_task is None and acked >= fault_after:
            fault_task = asyncio.ensure_future(fault())
        if 200 not in statuses:
            await asyncio.sleep(0.2)  # nothing answers: wait a little, as Slack's backoff does
    assert fault_task is not None
    await fault_task
    return tries


@asynccontextmanager
async def serving_a_team(
    database_url: str, fake: FakeSlack, directory: Path
) -> AsyncIterator[tuple[Replica, aiohttp.ClientSession]]:
    """`okrbot serve` up, with the team Checkout made in channel C1; stopped at the end."""
    replica = Replica(environment(database_url, fake), directory)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        await replica.start(session)
        try:
            created = await post(
                session,
                replica.base,
                command("team create Checkout"),
                "application/x-www-form-urlencoded",
            )
            assert created == 200
            yield replica, session
        finally:
            await replica.stop()


async def test_a_killed_server_loses_and_doubles_nothing(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    async with serving_a_team(database_url, fake_slack, tmp_path) as (replica, session):

        async def kill_and_restart() -> None:
            await replica.kill()
            await replica.start(session)

        tries = await ingest_through(replica, session, kill_and_restart, fault_after=EVENTS // 3)
        assert len(tries) == EVENTS
        assert await stored(database_url) == (EVENTS, EVENTS)


def postgres_cluster() -> tuple[str, str] | None:
    """The local PostgreSQL cluster (version, name) that pg_ctlcluster can restart, if any."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: p.name)
    return (versions[-1].name, "main") if versions else None


@pytest.mark.postgres
@pytest.mark.skipif(
    os.environ.get("OKRBOT_FAULT_RESTART_POSTGRES") != "1",
    reason="restarts the machine's PostgreSQL: set OKRBOT_FAULT_RESTART_POSTGRES=1 (CI does, "
    "in a step of its own)",
)
async def test_a_database_restart_loses_and_doubles_nothing(
    postgres_ready: bool, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    cluster = postgres_cluster()
    if cluster is None:
        pytest.skip("no pg_ctlcluster here to restart PostgreSQL with")
    await databases.empty_postgres()
    url = databases.POSTGRES_URL
    async with serving_a_team(url, fake_slack, tmp_path) as (replica, session):

        async def restart_database() -> None:
            version, name = cluster
            await asyncio.to_thread(
                subprocess.run,
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
                check=True,
                capture_output=True,
            )

        await ingest_through(replica, session, restart_database, fault_after=EVENTS // 3)
        assert await stored(url) == (EVENTS, EVENTS)
