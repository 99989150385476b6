"""A Monday's digest pass measured for bench.digest_company: time and statements per lead.

Each pass plans a run for every lead due a moment apart from the other passes (so each writes
its own messages) and performs them with ``Scheduler.perform_due`` as ``okrbot serve`` does at
09:00: one lead a transaction (``together=1``, the way before) or a hundred leads a transaction.
Statements are counted with an SQLAlchemy event listener on the engine; a pass may be profiled
with cProfile.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from bot.runtime import digest
from storage import schedule
from storage.outbox import OutboxMessage
from tests.support.harness import Harness
from tests.support.statements import Counted


@dataclass(frozen=True, slots=True)
class Pass:
    together: int
    seconds: float
    performed: int
    messages: int
    statements: int

    @property
    def per_lead_ms(self) -> float:
        return self.seconds / max(self.performed, 1) * 1000

    @property
    def statements_per_lead(self) -> float:
        return self.statements / max(self.performed, 1)


async def monday(
    bot: Harness, workspace_id: int, leads: list[str], *, together: int, number: int,
    profile: list[str] | None = None,
) -> Pass:  # fmt: skip
    """Every lead's run, due ``number`` minutes before now, performed in one pass."""
    now = bot.clock.now()
    due_at = now - timedelta(minutes=number)
    async with bot.app.sessions() as session, session.begin():
        for lead in leads:
            subject = digest.LeadsMonday(workspace_id, lead).key()
            await schedule.plan(
                session, workspace_id=workspace_id, job=digest.JOB, subject=subject,
                due_at=due_at, now=now,
            )  # fmt: skip
    before = await _messages(bot)
    profiler = cProfile.Profile() if profile is not None else None
    with Counted(bot.app.engine) as counted:
        begin = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        performed, _ = await bot.app.scheduler.perform_due(now, together=together)
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - begin
    if profiler is not None and profile is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
        profile += out.getvalue().splitlines()
    messages = await _messages(bot) - before
    return Pass(together, seconds, performed, messages, counted.n)


async def _messages(bot: Harness) -> int:
    async with bot.app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def composed_together(
    bot: Harness, workspace_id: int, leads: list[str], together: int
) -> tuple[list[float], float]:
    """Each batch's compose_many time per lead (seconds), and statements per lead."""
    now = bot.clock.now()
    shared = digest.Workspaces()
    per_lead: list[float] = []
    with Counted(bot.app.engine) as counted:
        for start in range(0, len(leads), together):
            batch = leads[start : start + together]
            async with bot.app.sessions() as session:
                begin = time.perf_counter()
                found = await digest.compose_many(
                    session, workspace_id=workspace_id, lead_ids=batch, now=now, workspaces=shared
                )
                per_lead.append((time.perf_counter() - begin) / len(batch))
            assert all(reply is not None for reply in found.values())
    return per_lead, counted.n / max(len(leads), 1)
