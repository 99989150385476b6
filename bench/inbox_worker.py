"""Behind the ack: how fast the inbox's worker handles stored events, and how soon after its ack.

On a fresh database each time (SQLite, and PostgreSQL with ``--database-url``), okrbot built as
``okrbot serve`` builds it, Slack connected through its real Web API client to a Web API on
loopback that answers at once (each story's private reply goes there), one team per channel:

- **backlog**: ``--n`` story events are kept in the inbox first, then the worker handles them
  all (``InboxWorker.drain``): stories handled per second, the statements (savepoints and
  the claims' share included) and commits per story, and the time of a claim made while
  a pass of 200 rows is held (a second replica's), with the whole backlog waiting. Once with
  every story in one channel (one conversation: handled one after the other, in order), once
  spread over ``--channels`` channels.
- **paced**: events are kept at ``--rate`` per second for ``--seconds``, each by a request of
  its own waiting for its commit as an HTTP ack does, while the worker runs beside the writer
  as in serve (woken by each commit): the lag from an event's receipt to its handling (p50,
  p99, max), events handled per second, and how many still waited when the feed stopped.
- **processes** (``--workers 1,2`` with ``--database-url``): the spread backlog handled by that
  many `okrbot work` processes on PostgreSQL (:mod:`bench.inbox_processes`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event as sql_event

from adapters.slack import inbound
from bench.common import arguments, backends, fresh_database, label, machine, percentile, run, table
from bench.http_servers import fake_slack
from bench.inbox_processes import backlog_in_processes
from bot.entry.app import Okrbot, build
from bot.events import Inbound
from bot.runtime import router
from bot.runtime.inbox import InboxWorker
from bot.runtime.loops import Loop
from storage import inbox
from tests.support.settings import configured

STORY = (
    "<@UBOT0001> story learning hypothesis: {n} a shorter address form lifts completion "
    "| learned: it did not; buyers wanted trust signals | result: invalidated | next: badges"
)


def event(number: int, channels: int) -> Inbound:
    channel, stamp = f"C{number % channels:03d}", f"1700000000.{number:06d}"
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A0001",
        "event_id": f"Ev{number:08d}",
        "event_time": 1700000000,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT0001", "is_bot": True}],
        "event": {
            "type": "app_mention",
            "user": f"U{number % 40:04d}",
            "channel": channel,
            "text": STORY.format(n=number),
            "ts": stamp,
            "event_ts": stamp,
        },
    }
    return Inbound("slack", "T1", f"Ev{number:08d}", channel, json.dumps(body), datetime.now(UTC))


@asynccontextmanager
async def okrbot_with_teams(backend: str, api_url: str, channels: int) -> AsyncIterator[Okrbot]:
    """okrbot on a fresh database, Slack connected, a team in each of ``channels`` channels."""
    background: set[asyncio.Task[None]] = set()

    def spawn(_platform: str) -> Any:
        def start(work: Coroutine[Any, Any, None]) -> None:
            task = asyncio.ensure_future(work)
            background.add(task)
            task.add_done_callback(background.discard)

        return start

    async with fresh_database(backend) as url:
        settings = configured(
            url,
            slack_signing_secret="bench-signing-secret",
            slack_bot_token="xoxb-bench",
            slack_api_url=api_url,
        )
        okrbot = await build(settings, migrate=False)
        connections = okrbot.connect(serving=True, spawn=spawn)
        try:
            for number in range(channels):
                command = {
                    "command": "/okr",
                    "text": f"team create Bench {number}",
                    "team_id": "T1",
                    "channel_id": f"C{number:03d}",
                    "user_id": "U0000",
                }
                mapped = inbound.from_slash_command(
                    command, datetime.now(UTC), command_words=router.COMMAND_WORDS
                )
                assert mapped is not None
                await okrbot.handle(mapped)
            yield okrbot
            await asyncio.gather(*background, return_exceptions=True)
        finally:
            await connections.close()
            await okrbot.close()


async def one_claim_ms(okrbot: Okrbot) -> float:
    """A claim while a pass of 200 rows is held (as a second replica's claim is), with the whole
    backlog waiting; the held rows are given back after."""
    now = datetime.now(UTC)

    async def claim() -> list[inbox.Claimed]:
        async with okrbot.sessions() as session, session.begin():
            return await inbox.claim(
                session, now=now, lease=timedelta(seconds=15), limit=200, platforms=["slack"]
            )

    held = await claim()
    started = time.perf_counter()
    second = await claim()
    elapsed = time.perf_counter() - started
    async with okrbot.sessions() as session, session.begin():
        await inbox.release(session, [row.id for row in (*held, *second)])
    return elapsed * 1000


async def backlog(backend: str, api_url: str, n: int, channels: int) -> list[str]:
    async with okrbot_with_teams(backend, api_url, channels) as okrbot:
        for start in range(0, n, 256):
            await asyncio.gather(
                *(okrbot.intake(event(i, channels)) for i in range(start, min(n, start + 256)))
            )
        claim = await one_claim_ms(okrbot)
        counts = {"before_cursor_execute": 0, "commit": 0}
        counters = {name: _counter(counts, name) for name in counts}
        for name, counter in counters.items():
            sql_event.listen(okrbot.engine.sync_engine, name, counter)
        started = time.perf_counter()
        handled = await okrbot.inbox.drain()
        elapsed = time.perf_counter() - started
        for name, counter in counters.items():
            sql_event.remove(okrbot.engine.sync_engine, name, counter)
    return [
        f"{label(backend)}: backlog of {n:,}, {channels} channel{'s' * (channels > 1)}",
        f"{handled / elapsed:,.0f}",
        f"{counts['before_cursor_execute'] / max(handled, 1):.1f}",
        f"{counts['commit'] / max(handled, 1):.2f}",
        f"{claim:.1f}",
        f"{elapsed:.1f}",
    ]


def _counter(counts: dict[str, int], name: str) -> Callable[..., None]:
    def count(*_: Any) -> None:
        counts[name] += 1

    return count


async def paced(backend: str, api_url: str, rate: int, seconds: float, channels: int) -> list[str]:
    lags: list[float] = []
    total = int(rate * seconds)
    everything = asyncio.Event()

    def handled(_platform: str, lag: float) -> None:
        lags.append(lag)
        if len(lags) >= total:
            everything.set()

    async with okrbot_with_teams(backend, api_url, channels) as okrbot:
        worker = InboxWorker(
            okrbot.sessions,
            okrbot.clock,
            okrbot.appliers,
            on_handled=handled,
        )

        async def step() -> None:
            if await worker.pass_once():
                loop.wake()

        loop = Loop("inbox worker", step, 1.0)
        okrbot.intake.on_committed = loop.wake
        running = asyncio.ensure_future(loop.run())
        started = time.perf_counter()
        acks = []
        for number in range(total):
            await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
            acks.append(asyncio.ensure_future(okrbot.intake(event(number, channels))))
        await asyncio.gather(*acks)
        fed = time.perf_counter() - started
        waiting = total - len(lags)
        try:
            async with asyncio.timeout(120):
                await everything.wait()
        except TimeoutError:
            pass  # counted below as unhandled
        elapsed = time.perf_counter() - started
        loop.stop()
        await running
    ms = sorted(lag * 1000 for lag in lags)
    return [
        f"{label(backend)}: {rate}/s for {seconds:.0f} s, {channels} channels",
        f"{total / fed:,.0f}",
        f"{len(lags) / elapsed:,.0f}",
        f"{percentile(ms, 50):,.0f}",
        f"{percentile(ms, 99):,.0f}",
        f"{ms[-1]:,.0f}" if ms else "-",
        f"{waiting:,}",
        f"{total - len(lags):,}",
    ]


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channels", type=int, default=40, help="channels of the spread runs")
    parser.add_argument("--rate", type=int, default=500, help="events kept per second, paced")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the paced feed")
    parser.add_argument(
        "--workers",
        default="",
        help="with --database-url: also the spread backlog handled by this many `okrbot work` "
        "processes, comma-separated (e.g. 1,2)",
    )


async def main() -> None:
    args = arguments((__doc__ or "").splitlines()[0], n=5000, extra=more)
    drained, kept, apart = [], [], []
    async with fake_slack() as api_url:
        for backend in backends(args.database_url):
            for channels in (1, args.channels):
                drained.append(await backlog(backend, api_url, args.n, channels))
            kept.append(await paced(backend, api_url, args.rate, args.seconds, args.channels))
        for processes in [int(n) for n in args.workers.split(",") if n] * bool(args.database_url):
            async with okrbot_with_teams(args.database_url, api_url, args.channels) as keeper:
                events = [event(number, args.channels) for number in range(args.n)]
                apart.append(
                    await backlog_in_processes(keeper, api_url, events, processes, args.channels)
                )
    print(f"{machine()}")
    header = ["", "handled/s", "statements/story", "commits/story", "claim beside a pass, ms"]
    print(table([*header, "seconds"], drained))
    if apart:
        print()
        print(table(["", "handled/s", "keeping s", "seconds", "CPU ms/story", "duplicates"], apart))
    print()
    header = ["", "kept/s", "handled/s", "lag p50 ms", "p99 ms", "max ms", "waiting", "unhandled"]
    print(table(header, kept))


if __name__ == "__main__":
    run(main)
