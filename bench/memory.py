"""Memory while ingesting events and while delivering outbox messages: nothing should pile up.

Python heap (tracemalloc: current and peak) and the process's RSS are sampled after a warm-up
and then at even steps. Delivery goes to a port that keeps only a count (FakeChatPort keeps
every reply it is sent, by design, which would be the fake's memory, not okrbot's).
tracemalloc makes everything about three times slower, so the defaults are 1,000 events and
1,000 messages (under a minute on SQLite); docs/benchmarks.md has a run at 5,000 and 2,000.

    python -m bench.memory [--database-url URL] [--n N] [--messages M]
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from collections.abc import Awaitable, Callable

from adapters.console import CONSOLE
from bench.common import (
    NullChatPort,
    arguments,
    backends,
    fresh_database,
    label,
    machine,
    rss_bytes,
    run,
    table,
)
from bench.ingest import command
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness

WARM_UP = 200
STEPS = 5
MB = 1024 * 1024


def more(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--messages", type=int, default=1000, help="outbox messages to deliver")


def sample() -> tuple[int, int]:
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    return current, rss_bytes()


async def track(
    steps: list[Callable[[], Awaitable[object]]],
) -> tuple[list[tuple[int, int]], int]:
    """Run the steps, sampling (heap, RSS) before the first and after each; and the peak."""
    tracemalloc.reset_peak()
    samples = [sample()]
    for step in steps:
        await step()
        samples.append(sample())
    _, peak = tracemalloc.get_traced_memory()
    return samples, peak


def row(name: str, count: int, samples: list[tuple[int, int]], peak: int) -> list[str]:
    (heap0, rss0), (heap1, rss1) = samples[0], samples[-1]
    # Growth over the second half shows what is left once caches have filled.
    heap_half = samples[len(samples) // 2][0]
    per_k = (heap1 - heap_half) / (count / 2) * 1000
    return [
        name,
        str(count),
        f"{heap0 / MB:.1f}",
        f"{heap1 / MB:.1f}",
        f"{peak / MB:.1f}",
        f"{(heap1 - heap0) / 1024:+,.0f}",
        f"{per_k / 1024:+,.1f}",
        f"{(rss1 - rss0) / MB:+.1f}",
        " ".join(f"{h / MB:.1f}" for h, _ in samples),
    ]


async def ingest(backend: str, n: int) -> list[str]:
    async with fresh_database(backend) as url:
        bot = await Harness.start(url)
        try:
            await bot.say("/okr team create Checkout", channel="C1")
            for i in range(WARM_UP):
                await bot.send(command(bot, -i - 1))
            done = 0

            def chunk(size: int) -> Callable[[], Awaitable[object]]:
                async def go() -> None:
                    nonlocal done
                    for _ in range(size):
                        await bot.send(command(bot, done))
                        done += 1

                return go

            samples, peak = await track([chunk(n // STEPS) for _ in range(STEPS)])
        finally:
            await bot.close()
    return row(f"{label(backend)}: ingest events", done, samples, peak)


class SamplingPort(NullChatPort):
    """Counts messages, and samples memory after every ``every`` of them."""

    def __init__(self, every: int) -> None:
        super().__init__()
        self.every = every
        self.samples: list[tuple[int, int]] = []

    def _take(self) -> str:
        message_id = super()._take()
        if self.count % self.every == 0:
            self.samples.append(sample())
        return message_id


async def deliver(backend: str, messages: int) -> list[str]:
    people = [f"U{i:05d}" for i in range(messages - 1)]  # and one announcement in the channel
    port = SamplingPort(every=messages // STEPS)
    async with fresh_database(backend) as url:
        bot = await Harness.start(url, directory=FakeDirectory(members={"C1": people}))
        bot.app.ports[CONSOLE] = port  # the worker reads this same mapping
        try:
            await bot.say("/okr team create Checkout", channel="C1", user=people[0])
            await bot.tick()
            await bot.say("/retro start", channel="C1", user=people[0])
            await bot.app.scheduler.perform_due(bot.clock.now())  # writes the outbox rows
            tracemalloc.reset_peak()
            port.samples.append(sample())
            delivered = await bot.deliver()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            await bot.close()
    assert delivered == port.count == messages, (delivered, port.count)
    return row(f"{label(backend)}: deliver outbox", messages, port.samples, peak)


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=1000, extra=more)
    tracemalloc.start()
    rows = []
    for backend in backends(args.database_url):
        rows.append(await ingest(backend, args.n))
        rows.append(await deliver(backend, args.messages))
    tracemalloc.stop()
    print(f"memory: Python heap (tracemalloc) and RSS ({machine()})")
    print(
        table(
            [
                "",
                "n",
                "heap MB before",
                "after",
                "peak",
                "growth KiB",
                "KiB per 1000 (2nd half)",
                "RSS MB growth",
                "heap MB at each step",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    run(main)
