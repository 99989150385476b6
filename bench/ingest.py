"""Learning stories by slash command through EventUnit: events per second and latency per event.

Each event is one transaction (ledger row, workspace, team lookup, story row), as in production.
A retried event (same event id) is then sent again: it must change nothing, and cheaply.

    python -m bench.ingest [--database-url URL] [--n N]
"""

from __future__ import annotations

from sqlalchemy import func, select

from bench.common import (
    LATENCY_HEADER,
    Latencies,
    arguments,
    backends,
    fresh_database,
    label,
    machine,
    run,
    table,
)
from bot.events import ChatEvent, EventKind
from storage.okr import LearningStory
from tests.support.harness import Harness

WARM_UP = 50
USERS = 40


def story(i: int) -> str:
    return (
        f"/story learning hypothesis: a shorter address form lifts completion ({i}) "
        f"| learned: it did not; buyers wanted trust signals, not fewer fields ({i}) "
        "| result: invalidated | next: test trust badges"
    )


def command(bot: Harness, i: int) -> ChatEvent:
    return bot.event(EventKind.COMMAND, text=story(i), user=f"U{i % USERS}", channel="C1")


async def stories(bot: Harness) -> int:
    async with bot.app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(LearningStory)) or 0)


async def measure(backend: str, n: int) -> list[list[str]]:
    async with fresh_database(backend) as url:
        bot = await Harness.start(url)
        try:
            await bot.say("/okr team create Checkout tz=Europe/Berlin", channel="C1")
            for i in range(WARM_UP):
                await bot.send(command(bot, -i - 1))
            events = [command(bot, i) for i in range(n)]
            fresh, retried = Latencies(), Latencies()
            for event in events:
                await fresh.time(bot.send(event))
            for event in events:
                outcome = await retried.time(bot.send(event))
                assert not outcome.replies, "a retried event must change nothing"
            assert await stories(bot) == n + WARM_UP, "every story saved once"
        finally:
            await bot.close()
    name = label(backend)
    return [fresh.row(f"{name}: new story"), retried.row(f"{name}: retried event")]


async def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=1000)
    rows: list[list[str]] = []
    for backend in backends(args.database_url):
        rows += await measure(backend, args.n)
    print(f"ingest: {args.n} /story learning commands, one EventUnit each ({machine()})")
    print(table(LATENCY_HEADER, rows))


if __name__ == "__main__":
    run(main)
