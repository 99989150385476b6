"""Work each scheduler tick does besides scheduled runs: what the planners and leads need.

Neither is a run of its own: a lead's timezone is asked of the platform once, outside any
transaction, before the digests are planned; anonymous concerns are told in one morning notice
per team, keyed by team and day, however many processes tick.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ports import Directory
from bot.runtime import outbox
from retrospectives.okrs.concerns import jobs as concern_jobs
from storage import core

log = logging.getLogger(__name__)

Chore = Callable[[datetime], Awaitable[None]]
"""Something done on every tick, before planning, at the tick's time."""


async def learn_lead_timezones(
    sessions: async_sessionmaker[AsyncSession],
    directories: Mapping[str, Directory],
    limit: int = 50,
) -> None:
    """Ask the platform once for the timezone of each new lead, for their Monday digest."""
    async with sessions() as session:
        unknown = await core.leads_without_timezone(
            session, platforms=directories.keys(), limit=limit
        )
    for team_id, user_id, platform, workspace_external_id in unknown:
        try:
            zone = await directories[platform].user_timezone(workspace_external_id, user_id)
        except Exception:
            log.warning("could not read the timezone of a lead; trying again later")
            continue
        async with sessions() as session, session.begin():
            await core.set_lead_timezone(
                session, team_id=team_id, user_id=user_id, timezone=_valid_zone(zone)
            )


async def tell_anonymous_concerns(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """Write each team's morning notice of anonymous concerns to the outbox, once."""
    async with sessions() as session, session.begin():
        for workspace_id, delivery in await concern_jobs.concern_notices(session, now=now):
            await outbox.enqueue(session, workspace_id=workspace_id, delivery=delivery, now=now)


def chores(
    sessions: async_sessionmaker[AsyncSession], directories: Mapping[str, Directory]
) -> list[Chore]:
    """The chores of every tick, in order: lead timezones first, for the digest planner."""

    async def timezones(_: datetime) -> None:
        await learn_lead_timezones(sessions, directories)

    async def concerns(now: datetime) -> None:
        await tell_anonymous_concerns(sessions, now)

    return [timezones, concerns]


def _valid_zone(zone: str | None) -> str:
    """The zone if it is a known IANA name, else "" (asked, and unknown: use the team's)."""
    if not zone:
        return ""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return zone
