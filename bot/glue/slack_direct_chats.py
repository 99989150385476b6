"""People's direct conversations with the Slack app, kept in okrbot's database.

Slack's port opens a person's conversation once (``conversations.open``) and keeps its id; this
store keeps it past the process, each call in its own short transaction, outside any other
(the outbox sends with no transaction open).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack.settings import SLACK
from bot.ports import Clock
from storage import direct_chats


class DatabaseDirectChats:
    """Slack's kept conversations (:class:`adapters.slack.port.DirectChats`) in the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def conversation(self, workspace_id: str, user_id: str) -> str | None:
        async with self._sessions() as session:
            return await direct_chats.conversation(
                session, platform=SLACK, workspace=workspace_id, user_id=user_id
            )

    async def keep(self, workspace_id: str, user_id: str, conversation_id: str) -> None:
        async with self._sessions() as session, session.begin():
            await direct_chats.keep(
                session,
                platform=SLACK,
                workspace=workspace_id,
                user_id=user_id,
                conversation_id=conversation_id,
                now=self._clock.now(),
            )

    async def forget(self, workspace_id: str, user_id: str) -> None:
        async with self._sessions() as session, session.begin():
            await direct_chats.forget(
                session, platform=SLACK, workspace=workspace_id, user_id=user_id
            )
