"""When a retrospective closes, its team's leads get a signed link to the quarter's report.

A chore of every tick: it looks at the retrospectives closed in the last day and writes one
message per lead, keyed by retrospective and lead, so the outbox sends each once however many
ticks and processes see it. The link expires ``reports.LINK_LIFETIME`` after the close.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admin import reports
from bot.replies import Audience, Delivery, Reply
from bot.runtime import outbox
from retrospectives.learning.service import quarter_of
from storage import learning

LOOK_BACK = timedelta(days=1)


def text(team: str, quarter: str, url: str, days: int) -> str:
    return (
        f"The retrospective of {team} has closed. The team's learning report for {quarter} "
        f"(hypotheses, customer outcomes, adaptations and concerns; team figures only) is at "
        f"{url} for the next {days} days. It is for leads: please do not forward the link."
    )


async def send_links(
    sessions: async_sessionmaker[AsyncSession],
    *,
    public_url: str,
    keys: Sequence[str],
    now: datetime,
) -> None:
    """Write the report link of each retrospective closed lately to its leads, once."""
    if not public_url or not keys:
        return
    async with sessions() as session, session.begin():
        for cycle, team in await learning.closed_since(session, since=now - LOOK_BACK):
            closed_at = cycle.closed_at or now
            quarter = quarter_of(cycle.opened_at, team.timezone)
            url = reports.link(public_url, keys, team_id=team.id, quarter=quarter, now=closed_at)
            if url is None:
                return
            said = Reply(text(team.name, quarter.label, url, reports.LINK_LIFETIME.days))
            for lead in team.leads:
                key = f"report:{cycle.id}:{lead.user_id}"
                delivery = Delivery(Audience.PERSON, lead.user_id, said, key=key)
                await outbox.enqueue(
                    session, workspace_id=team.workspace_id, delivery=delivery, now=now
                )


def chores(
    sessions: async_sessionmaker[AsyncSession], *, public_url: str, keys: Sequence[str]
) -> list[Callable[[datetime], Awaitable[None]]]:
    """The report links' chore, for the scheduler's list."""

    async def links(now: datetime) -> None:
        await send_links(sessions, public_url=public_url, keys=keys, now=now)

    return [links]
