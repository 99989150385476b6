"""Workspaces, teams and their leads: what every domain shares."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Select, String, UniqueConstraint, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, raiseload, relationship

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
    # "quarterly", a crontab expression, or None when the team runs retrospectives by hand.
    retro_schedule: Mapped[str | None] = mapped_column(String(120))
    retro_schedule_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A lead's raise of OKRBOT_ANONYMITY_MIN for this team's retrospectives (never below it).
    anonymity_min: Mapped[int | None]

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
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)  # by lead
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The lead's own timezone from the platform; "" once asked and unknown, None before asking.
    timezone: Mapped[str | None] = mapped_column(String(64))

    team: Mapped[Team] = relationship(back_populates="leads")


class ChannelMember(Base):
    """Someone seen acting in a channel: the member list where a platform has none to ask."""

    __tablename__ = "channel_member"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


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


def _teams(leads: bool) -> Select[Team]:
    """Teams with their leads, or without (a statement less; reading them then raises)."""
    return select(Team) if leads else select(Team).options(raiseload(Team.leads))


CHANNEL_TEAMS = "okrbot.channel_teams"  # session.info: the teams found by channel, leads unread


async def team_by_channel(
    session: AsyncSession, *, workspace_id: int, channel_id: str, leads: bool = True
) -> Team | None:
    """The channel's team. Without its leads, one found before in this session (a batch of a
    channel's events) is used again while the session holds it unchanged and still there."""
    key = (workspace_id, channel_id)
    known: dict[tuple[int, str], Team] = session.info.setdefault(CHANNEL_TEAMS, {})
    team = known.get(key) if not leads else None
    if team is not None and team in session:
        state = inspect(team)
        if state.persistent and not state.expired_attributes and team.channel_id == channel_id:
            return team  # its workspace never changes
    found = await session.scalar(
        _teams(leads).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id)
    )
    if found is not None and not leads:
        known[key] = found
    return found


async def team_by_name(
    session: AsyncSession, *, workspace_id: int, name: str, leads: bool = True
) -> Team | None:
    return await session.scalar(
        _teams(leads).where(Team.workspace_id == workspace_id, Team.name_key == team_name_key(name))
    )


async def is_lead(session: AsyncSession, *, team_id: int, user_id: str) -> bool:
    found = await session.scalar(
        select(TeamLead.user_id).where(TeamLead.team_id == team_id, TeamLead.user_id == user_id)
    )
    return found is not None


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


async def schedule_groups(session: AsyncSession) -> Sequence[tuple[str, str]]:
    """The distinct (schedule, timezone) pairs of all teams: few, however many teams there are."""
    result = await session.execute(
        select(Team.retro_schedule, Team.timezone)
        .where(Team.retro_schedule.is_not(None))
        .distinct()
    )
    return [(schedule, zone) for schedule, zone in result if schedule]


async def scheduled_teams(
    session: AsyncSession, *, schedule: str, timezone: str
) -> Sequence[tuple[Team, Workspace]]:
    """Every team, in every workspace, on one schedule in one timezone (for the planner)."""
    result = await session.execute(
        select(Team, Workspace)
        .join(Workspace, Workspace.id == Team.workspace_id)
        .where(Team.retro_schedule == schedule, Team.timezone == timezone)
        .order_by(Team.id)
    )
    return [(team, workspace) for team, workspace in result]


def lead_zone() -> Any:
    """A lead's timezone for digests: their own when known, else their team's."""
    return func.coalesce(func.nullif(TeamLead.timezone, ""), Team.timezone)


async def lead_timezones(session: AsyncSession) -> Sequence[str]:
    """The distinct timezones leads read their digests in."""
    result = await session.scalars(
        select(lead_zone()).select_from(TeamLead).join(Team, Team.id == TeamLead.team_id).distinct()
    )
    return result.all()


async def all_leads(session: AsyncSession) -> Sequence[tuple[TeamLead, Team, Workspace]]:
    """Every lead of every team (for planning weekly digests)."""
    result = await session.execute(
        select(TeamLead, Team, Workspace)
        .join(Team, Team.id == TeamLead.team_id)
        .join(Workspace, Workspace.id == Team.workspace_id)
        .order_by(Workspace.id, TeamLead.user_id, Team.id)
    )
    return [(lead, team, workspace) for lead, team, workspace in result]


async def leads_without_timezone(
    session: AsyncSession, *, platforms: Collection[str], limit: int
) -> Sequence[tuple[int, str, str, str]]:
    """Leads whose timezone was never asked: (team id, user id, platform, workspace id)."""
    result = await session.execute(
        select(TeamLead.team_id, TeamLead.user_id, Workspace.platform, Workspace.external_id)
        .join(Team, Team.id == TeamLead.team_id)
        .join(Workspace, Workspace.id == Team.workspace_id)
        .where(TeamLead.timezone.is_(None), Workspace.platform.in_(list(platforms)))
        .limit(limit)
    )
    return [(t, u, p, w) for t, u, p, w in result]


async def set_lead_timezone(
    session: AsyncSession, *, team_id: int, user_id: str, timezone: str
) -> None:
    lead = await session.get(TeamLead, (team_id, user_id))
    if lead is not None:
        lead.timezone = timezone


async def teams_of_person(
    session: AsyncSession, *, workspace_id: int, user_id: str
) -> Sequence[Team]:
    """Teams a person leads or has been seen in the channel of, by name."""
    led = select(TeamLead.team_id).where(TeamLead.user_id == user_id)
    seen = select(ChannelMember.channel_id).where(
        ChannelMember.workspace_id == workspace_id, ChannelMember.user_id == user_id
    )
    result = await session.scalars(
        select(Team)
        .where(
            Team.workspace_id == workspace_id,
            (Team.id.in_(led)) | (Team.channel_id.in_(seen)),
        )
        .order_by(Team.name_key)
    )
    return result.all()
