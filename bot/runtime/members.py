"""A Directory for platforms that cannot list a channel's members: the people seen in it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import core, members


class SeenMembers:
    """Members of a channel are the people who have spoken to the bot there."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], platform: str) -> None:
        self._sessions = sessions
        self._platform = platform

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        async with self._sessions() as session:
            workspace = await core.find_workspace(
                session, platform=self._platform, external_id=workspace_id
            )
            if workspace is None:
                return []
            return await members.seen_members(
                session, workspace_id=workspace.id, channel_id=channel_id
            )

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        return None
