"""Slack installations (their secrets sealed by the caller) and OAuth states."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class SlackInstallation(Base):
    """One workspace's (or one org's) installation of the Slack app.

    ``sealed`` holds the whole installation, tokens included, encrypted by the composition:
    storage never sees a token in the clear. The other columns are there to find rows.
    """

    __tablename__ = "slack_installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    installation_key: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    team_id: Mapped[str | None] = mapped_column(String(32))
    is_enterprise_install: Mapped[bool] = mapped_column(default=False)
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    sealed: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlackOAuthState(Base):
    """A one-time ``state`` handed to Slack's OAuth page, valid until it expires."""

    __tablename__ = "slack_oauth_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(128), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def save_installation(
    session: AsyncSession,
    *,
    installation_key: str,
    enterprise_id: str | None,
    team_id: str | None,
    is_enterprise_install: bool,
    bot_user_id: str | None,
    sealed: str,
    now: datetime,
) -> None:
    """Keep the newest installation of a workspace (a reinstall replaces the old one)."""
    row = await find_installation(session, installation_key=installation_key)
    if row is None:
        row = SlackInstallation(installation_key=installation_key)
        session.add(row)
    row.enterprise_id = enterprise_id
    row.team_id = team_id
    row.is_enterprise_install = is_enterprise_install
    row.bot_user_id = bot_user_id
    row.sealed = sealed
    row.installed_at = now
    await session.flush()


async def find_installation(
    session: AsyncSession, *, installation_key: str
) -> SlackInstallation | None:
    return await session.scalar(
        select(SlackInstallation).where(SlackInstallation.installation_key == installation_key)
    )


async def installations_after(
    session: AsyncSession, *, after_id: int, limit: int, lock: bool = False
) -> list[SlackInstallation]:
    """The next ``limit`` installations by id after ``after_id``; ``lock``: for update."""
    statement = (
        select(SlackInstallation)
        .where(SlackInstallation.id > after_id)
        .order_by(SlackInstallation.id)
        .limit(limit)
    )
    if lock:  # a reinstall meanwhile must not be overwritten by its older token, re-sealed
        statement = statement.with_for_update()
    return list(await session.scalars(statement))


async def delete_installations(session: AsyncSession, *, installation_keys: list[str]) -> int:
    """Forget these installations, tokens and all; tell how many there were."""
    result = await session.execute(
        delete(SlackInstallation).where(SlackInstallation.installation_key.in_(installation_keys))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def issue_state(session: AsyncSession, *, state: str, expires_at: datetime) -> None:
    session.add(SlackOAuthState(state=state, expires_at=expires_at))
    await session.flush()


async def consume_state(session: AsyncSession, *, state: str, now: datetime) -> bool:
    """Use up a state once; an unknown, used or expired state is refused."""
    result = await session.execute(
        delete(SlackOAuthState).where(
            SlackOAuthState.state == state, SlackOAuthState.expires_at > now
        )
    )
    await session.execute(delete(SlackOAuthState).where(SlackOAuthState.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0) == 1
