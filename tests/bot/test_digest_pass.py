"""A Monday's digests performed together: the same messages as one lead at a time, for far
fewer statements, and each exactly once even when a replica dies mid-pass."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import event

from adapters.console.events import CONSOLE
from bot.entry.app import build
from bot.entry.settings import Settings
from tests.bot.company_digests import NOBODY, leads, messages, outbox_size, plan, write_company
from tests.support.fakes import FakeChatPort
from tests.support.statements import Counted


async def test_a_pass_performed_together_sends_each_lead_what_one_by_one_sends(bot):
    await write_company(bot)
    who = await leads(bot)
    now = bot.clock.now()
    alone, together = now - timedelta(minutes=2), now - timedelta(minutes=1)
    await plan(bot, alone, who)
    with Counted(bot.app.engine) as one_by_one:
        assert await bot.app.scheduler.perform_due(now, together=1) == (len(who), 0)
    await plan(bot, together, who)
    with Counted(bot.app.engine) as batched:
        # Three leads a transaction: leads sharing teams fall in different transactions.
        assert await bot.app.scheduler.perform_due(now, together=3) == (len(who), 0)

    expected = await messages(bot, alone, who)
    found = await messages(bot, together, who)
    assert found == expected
    assert len(who) == 10  # six founders and two co-leads in W1, L0 in W2, nobody
    for (_, lead), pages in expected.items():
        assert bool(pages) == (lead != NOBODY)
        for _, target, _ in pages:
            assert target == lead
    # Data of every kind is there to compare, and no workspace reads another's.
    texts = {
        lead: "\n".join(str(payload) for _, _, payload in pages)
        for (_, lead), pages in expected.items()
    }
    for seen in ("learning about KR1", "customer impact", "adaptations to follow up",
                 "metric concerns raised", "concerns awaiting an answer", "No stories this week",
                 "received", "private, for leads", "Recognition across teams"):  # fmt: skip
        assert any(seen in text for text in texts.values()), seen
    assert "an old lesson" not in "".join(texts.values())
    w2 = [pages for (w, lead), pages in expected.items() if lead == "L0" and w != who[0][0]]
    assert "only W2 knows this" in str(w2) and "only W2 knows this" not in texts["L7"]
    # The point of it: far fewer statements for the same messages.
    assert batched.n * 2 < one_by_one.n, (batched.n, one_by_one.n)


class Killed(BaseException):
    """The process dying: nothing after it runs, not even an ``except Exception``."""


@pytest.mark.parametrize("batch", [2, 3])
async def test_a_replica_killed_mid_pass_leaves_nothing_lost_nor_doubled(bot, batch):
    await write_company(bot)
    who = await leads(bot)
    now = bot.clock.now()
    earlier = now - timedelta(minutes=2)
    await plan(bot, earlier, who)
    assert await bot.app.scheduler.perform_due(now, together=1) == (len(who), 0)
    expected = await messages(bot, earlier, who)

    due = now - timedelta(minutes=1)
    await plan(bot, due, who)
    before = await outbox_size(bot)
    writes = 0

    def die_on_second_batch(_conn, _cursor, statement: str, *_) -> None:
        nonlocal writes
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX_MESSAGE"):
            writes += 1
            if writes == 2:  # the second transaction has read and composed; it never commits
                raise Killed

    engine = bot.app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", die_on_second_batch)
    try:
        with pytest.raises(Killed):
            await bot.app.scheduler.perform_due(now, together=batch)
    finally:
        event.remove(engine, "before_cursor_execute", die_on_second_batch)
    # The first transaction's digests are committed, the second's are not there at all.
    assert await outbox_size(bot) == before + sum(
        len(expected[lead]) for lead in who[:batch] if expected[lead]
    )

    replica = await build(
        Settings(database_url=str(bot.app.engine.url.render_as_string(hide_password=False))),
        clock=bot.clock,
        ports={CONSOLE: FakeChatPort()},
        migrate=False,
    )
    try:  # another replica picks the pass up, racing this one
        reports = await asyncio.gather(
            replica.scheduler.perform_due(now, together=batch),
            bot.app.scheduler.perform_due(now, together=batch),
        )
    finally:
        await replica.close()
    assert sum(performed for performed, _ in reports) == len(who) - batch
    assert await messages(bot, due, who) == expected
    assert await outbox_size(bot) == before + sum(len(pages) for pages in expected.values())
