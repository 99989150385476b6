"""Teams conversation references and the people seen in them, per tenant.

A conversation reference is what the Bot Connector needs to post into a conversation later:
the conversation's id, the regional ``serviceUrl`` it lives at and the bot's account there.
Every row is scoped by ``tenant_id`` (the Teams tenant, okrbot's workspace id for Teams).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import base
from storage.base import Base, UTCDateTime

PERSONAL = "personal"


class TeamsConversation(Base):
    """A conversation the bot is in: a channel, a group chat, or someone's 1:1 chat."""

    __tablename__ = "teams_conversation"
    __table_args__ = (
        UniqueConstraint("tenant_id", "conversation_id"),
        Index("ix_teams_conversation_person", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(16))  # personal, channel or groupChat
    service_url: Mapped[str] = mapped_column(String(512))
    bot_id: Mapped[str] = mapped_column(String(128))
    bot_name: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str | None] = mapped_column(String(128))  # whose 1:1 chat it is
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamsPerson(Base):
    """Someone the bot has seen in a tenant: the account id Teams addresses them by."""

    __tablename__ = "teams_person"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))  # Entra object id, else the account id
    account_id: Mapped[str] = mapped_column(String(255))  # "29:…"
    service_url: Mapped[str] = mapped_column(String(512))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA, when Teams told us
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def _upsert(
    session: AsyncSession,
    model: type[Base],
    keys: tuple[str, ...],
    values: dict[str, Any],
    keep: tuple[str, ...] = (),
) -> None:
    """Insert a row, or update it in place when its keys exist (one statement, race-free).

    Columns named in ``keep`` keep their stored value when the new one is empty.
    """
    table: Any = model.__table__
    statement = base.insert(session.get_bind().dialect.name, table).values(**values)
    changes = {
        name: statement.excluded[name]
        for name in values
        if name not in keys and name not in keep and name != "id"
    }
    for name in keep:
        if values.get(name):
            changes[name] = statement.excluded[name]
    await session.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes))


async def save_conversation(
    session: AsyncSession,
    *,
    tenant_id: str,
    conversation_id: str,
    kind: str,
    service_url: str,
    bot_id: str,
    bot_name: str,
    user_id: str | None,
    now: datetime,
) -> None:
    """Remember a conversation, or bring its reference up to date (service URLs move)."""
    await _upsert(
        session,
        TeamsConversation,
        ("tenant_id", "conversation_id"),
        {
            "tenant_id": tenant_id,
            "conversation_id": conversation_id,
            "kind": kind,
            "service_url": service_url,
            "bot_id": bot_id,
            "bot_name": bot_name,
            "user_id": user_id or None,
            "seen_at": now,
        },
        keep=("user_id",),
    )


async def save_person(
    session: AsyncSession,
    *,
    tenant_id: str,
    user_id: str,
    account_id: str,
    service_url: str,
    timezone: str | None,
    now: datetime,
) -> None:
    """Remember a person; a timezone once seen is kept when an activity carries none."""
    await _upsert(
        session,
        TeamsPerson,
        ("tenant_id", "user_id"),
        {
            "tenant_id": tenant_id,
            "user_id": user_id,
            "account_id": account_id,
            "service_url": service_url,
            "timezone": timezone or None,
            "seen_at": now,
        },
        keep=("timezone",),
    )


async def find_conversation(
    session: AsyncSession, *, tenant_id: str, conversation_id: str
) -> TeamsConversation | None:
    return await session.scalar(
        select(TeamsConversation).where(
            TeamsConversation.tenant_id == tenant_id,
            TeamsConversation.conversation_id == conversation_id,
        )
    )


async def find_personal(
    session: AsyncSession, *, tenant_id: str, user_id: str
) -> TeamsConversation | None:
    """The person's 1:1 chat with the bot, the most recently seen if several."""
    return await session.scalar(
        select(TeamsConversation)
        .where(
            TeamsConversation.tenant_id == tenant_id,
            TeamsConversation.user_id == user_id,
            TeamsConversation.kind == PERSONAL,
        )
        .order_by(TeamsConversation.seen_at.desc())
        .limit(1)
    )


async def find_any_conversation(
    session: AsyncSession, *, tenant_id: str
) -> TeamsConversation | None:
    """The tenant's most recently seen conversation (its service URL, the bot's account)."""
    return await session.scalar(
        select(TeamsConversation)
        .where(TeamsConversation.tenant_id == tenant_id)
        .order_by(TeamsConversation.seen_at.desc())
        .limit(1)
    )


async def find_person(session: AsyncSession, *, tenant_id: str, user_id: str) -> TeamsPerson | None:
    return await session.scalar(
        select(TeamsPerson).where(
            TeamsPerson.tenant_id == tenant_id, TeamsPerson.user_id == user_id
        )
    )


async def personal_chats(session: AsyncSession, *, user_id: str) -> list[str]:
    """The ids of the person's 1:1 chats with the bot, in every tenant."""
    found = await session.scalars(
        select(TeamsConversation.conversation_id).where(
            TeamsConversation.user_id == user_id, TeamsConversation.kind == PERSONAL
        )
    )
    return list(found)


async def forget_user(session: AsyncSession, *, user_id: str) -> int:
    """Erase a person from every tenant: their record and the link to their 1:1 chats."""
    removed = await session.execute(delete(TeamsPerson).where(TeamsPerson.user_id == user_id))
    await session.execute(
        delete(TeamsConversation).where(
            TeamsConversation.user_id == user_id, TeamsConversation.kind == PERSONAL
        )
    )
    await session.execute(
        update(TeamsConversation).where(TeamsConversation.user_id == user_id).values(user_id=None)
    )
    return int(getattr(removed, "rowcount", 0) or 0)
