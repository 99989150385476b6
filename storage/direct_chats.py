"""Each person's direct conversation with the app, where a platform makes one be opened (Slack).

Slack gives a person's conversation with the app an id that never changes, but only through a
rate-limited call (``conversations.open``); kept here, a restarted process, or another replica,
sends to everyone it knew without asking again. Rows belong to their workspace, and go with the
person on erasure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import base
from storage.base import Base, UTCDateTime
from storage.core import Workspace

ROWS_AT_ONCE = 500


class DirectChat(Base):
    """A person's direct conversation with the app, as the platform named it."""

    __tablename__ = "direct_chat"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def conversations(session: AsyncSession, *, platform: str, workspace: str) -> dict[str, str]:
    """Every kept conversation of a workspace (by the platform's workspace id), by person: one
    query for a whole fan-out instead of one per person."""
    found = await session.execute(
        select(DirectChat.user_id, DirectChat.conversation_id)
        .join(Workspace, Workspace.id == DirectChat.workspace_id)
        .where(Workspace.platform == platform, Workspace.external_id == workspace)
    )
    return {user_id: conversation_id for user_id, conversation_id in found}


async def keep(
    session: AsyncSession,
    *,
    platform: str,
    workspace: str,
    user_id: str,
    conversation_id: str,
    now: datetime,
) -> bool:
    """Keep a person's conversation (the newest id wins); False when the workspace is unknown."""
    kept = await keep_many(
        session, platform=platform, workspace=workspace, chats={user_id: conversation_id}, now=now
    )
    return kept > 0


async def keep_many(
    session: AsyncSession,
    *,
    platform: str,
    workspace: str,
    chats: Mapping[str, str],
    now: datetime,
) -> int:
    """Keep people's conversations (person: conversation id; the newest id wins) in one
    statement per 500; how many were written, 0 when the workspace is unknown."""
    workspace_id = await session.scalar(
        select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == workspace
        )
    )
    if workspace_id is None or not chats:
        return 0
    rows = [
        {"workspace_id": workspace_id, "user_id": user, "conversation_id": chat, "opened_at": now}
        for user, chat in chats.items()
    ]
    dialect = session.get_bind().dialect.name
    for start in range(0, len(rows), ROWS_AT_ONCE):
        statement = base.insert(dialect, DirectChat).values(rows[start : start + ROWS_AT_ONCE])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[DirectChat.workspace_id, DirectChat.user_id],
                set_={
                    "conversation_id": statement.excluded.conversation_id,
                    "opened_at": statement.excluded.opened_at,
                },
            )
        )
    return len(rows)


async def forget(session: AsyncSession, *, platform: str, workspace: str, user_id: str) -> None:
    """Drop a kept conversation the platform no longer takes (it is opened afresh next time)."""
    workspaces = select(Workspace.id).where(
        Workspace.platform == platform, Workspace.external_id == workspace
    )
    await session.execute(
        delete(DirectChat)
        .where(DirectChat.workspace_id.in_(workspaces), DirectChat.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
