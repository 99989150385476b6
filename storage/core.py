"""Workspaces, teams and their leads: what every domain shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, UTCDateTime


class Workspace(Base):
    """A Slack workspace, a Teams tenant or a console session: the wall around all data."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Team(Base):
    """An OKR team, bound to the chat channel where it talks."""

    __tablename__ = "team"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key"),
        UniqueConstraint("workspace_id", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    leads: Mapped[list[TeamLead]] = relationship(
        back_populates="team", cascade="all, delete-orphan", lazy="selectin"
    )

    def is_lead(self, user_id: str) -> bool:
        return any(lead.user_id == user_id for lead in self.leads)


class TeamLead(Base):
    __tablename__ = "team_lead"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    team: Mapped[Team] = relationship(back_populates="leads")


def team_name_key(name: str) -> str:
    """Fold a team name so that "Checkout", "checkout" and " CHECKOUT " are one team."""
    return " ".join(name.casefold().split())


async def get_or_create_workspace(
    session: AsyncSession, *, platform: str, external_id: str, now: datetime
) -> Workspace:
    """Find the workspace row for a platform's workspace id, adding it the first time."""
    found = await session.scalar(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    )
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            workspace = Workspace(platform=platform, external_id=external_id, created_at=now)
            session.add(workspace)
    except IntegrityError:  # another replica added it between our read and our write
        raced = await find_workspace(session, platform=platform, external_id=external_id)
        if raced is None:
            raise
        return raced
    return workspace


async def find_workspace(
    session: AsyncSession, *, platform: str, external_id: str
) -> Workspace | None:
    return await session.scalar(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    )


async def team_by_channel(
    session: AsyncSession, *, workspace_id: int, channel_id: str
) -> Team | None:
    return await session.scalar(
        select(Team).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id)
    )


async def team_by_name(session: AsyncSession, *, workspace_id: int, name: str) -> Team | None:
    return await session.scalar(
        select(Team).where(
            Team.workspace_id == workspace_id, Team.name_key == team_name_key(name)
        )
    )


async def team_by_id(session: AsyncSession, *, workspace_id: int, team_id: int) -> Team | None:
    return await session.scalar(
        select(Team).where(Team.workspace_id == workspace_id, Team.id == team_id)
    )


async def teams(session: AsyncSession, *, workspace_id: int) -> Sequence[Team]:
    result = await session.scalars(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name_key)
    )
    return result.all()


async def teams_led_by(session: AsyncSession, *, workspace_id: int, user_id: str) -> Sequence[Team]:
    result = await session.scalars(
        select(Team)
        .join(TeamLead)
        .where(Team.workspace_id == workspace_id, TeamLead.user_id == user_id)
        .order_by(Team.name_key)
    )
    return result.all()


def add_team(
    session: AsyncSession,
    *,
    workspace_id: int,
    name: str,
    channel_id: str,
    timezone: str,
    created_by: str,
    now: datetime,
) -> Team:
    team = Team(
        workspace_id=workspace_id,
        name=name,
        name_key=team_name_key(name),
        channel_id=channel_id,
        timezone=timezone,
        created_by=created_by,
        created_at=now,
    )
    team.leads.append(TeamLead(user_id=created_by, added_at=now))
    session.add(team)
    return team


async def erase_lead(session: AsyncSession, *, workspace_id: int, user_id: str) -> None:
    """Remove a person from the leads of every team of one workspace."""
    team_ids = select(Team.id).where(Team.workspace_id == workspace_id)
    await session.execute(
        delete(TeamLead).where(TeamLead.user_id == user_id, TeamLead.team_id.in_(team_ids))
    )
