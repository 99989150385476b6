"""Find a team's report and render it: for `okrbot report` and for the signed link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import report_page, reports
from retrospectives.learning.commands import Quarter
from storage import core
from storage.core import Team, Workspace


class NoSuchTeam(LookupError):
    """The workspace or the team named is not there."""


async def team_named(session: AsyncSession, *, workspace: str, name: str) -> Team:
    """The team called ``name`` in the workspace with this platform id (Slack, Teams, console)."""
    found = (
        await session.scalars(select(Workspace).where(Workspace.external_id == workspace))
    ).all()
    if not found:
        raise NoSuchTeam(f"no workspace {workspace}")
    for each in found:
        team = await core.team_by_name(session, workspace_id=each.id, name=name)
        if team is not None:
            return team
    raise NoSuchTeam(f"no team called {name} in workspace {workspace}")


async def page(session: AsyncSession, *, team: Team, quarter: Quarter | None, now: datetime) -> str:
    """The report page of ``team`` for ``quarter`` (default: the current quarter)."""
    return report_page.render(await reports.gather(session, team=team, quarter=quarter, now=now))


async def page_by_id(
    session: AsyncSession, *, team_id: int, quarter: Quarter, now: datetime
) -> str | None:
    """The page a signed link names; None if the team is gone."""
    team = await session.get(Team, team_id)
    if team is None:
        return None
    return await page(session, team=team, quarter=quarter, now=now)
