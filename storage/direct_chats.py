"""Each person's direct conversation with the app, where a platform makes one be opened (Slack).

Slack gives a person's conversation with the app an id that never changes, but only through a
rate-limited call (``conversations.open``); kept here, a restarted process, or another replica,
sends to everyone it knew without asking again. Rows belong to their workspace, and go with the
person on erasure.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import base
from storage.base import Base, UTCDateTime
from storage.core import Workspace


class DirectChat(Base):
    """A person's direct conversation with the app, as the platform named it."""

    __tablename__ = "direct_chat"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def conversation(
    session: AsyncSession, *, platform: str, workspace: str, user_id: str
) -> str | None:
    """The kept conversation of a person in a workspace (by the platform's workspace id)."""
    found: str | None = await session.scalar(
        select(DirectChat.conversation_id)
        .join(Workspace, Workspace.id == DirectChat.workspace_id)
        .where(
            Workspace.platform == platform,
            Workspace.external_id == workspace,
            DirectChat.user_id == user_id,
        )
    )
    return found


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
    workspace_id = await session.scalar(
        select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == workspace
        )
    )
    if workspace_id is None:
        return False
    values = {
        "workspace_id": workspace_id,
        "user_id": user_id,
        "conversation_id": conversation_id,
        "opened_at": now,
    }
    changed = {"conversation_id": conversation_id, "opened_at": now}
    statement = base.insert(session.get_bind().dialect.name, DirectChat).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[DirectChat.workspace_id, DirectChat.user_id], set_=changed
        )
    )
    return True


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
