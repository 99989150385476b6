"""The people seen acting in each channel: the member list of a platform that has none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.core import ChannelMember


async def note_member(
    session: AsyncSession, *, workspace_id: int, channel_id: str, user_id: str, now: datetime
) -> None:
    """Remember that a person acts in a channel (once; later sightings change nothing)."""
    found = await session.get(ChannelMember, (workspace_id, channel_id, user_id))
    if found is not None:
        return
    try:
        async with session.begin_nested():
            session.add(
                ChannelMember(
                    workspace_id=workspace_id, channel_id=channel_id, user_id=user_id, seen_at=now
                )
            )
    except IntegrityError:  # seen by a concurrent event a moment ago: already remembered
        return


async def seen_members(
    session: AsyncSession, *, workspace_id: int, channel_id: str
) -> Sequence[str]:
    result = await session.scalars(
        select(ChannelMember.user_id)
        .where(ChannelMember.workspace_id == workspace_id, ChannelMember.channel_id == channel_id)
        .order_by(ChannelMember.seen_at, ChannelMember.user_id)
    )
    return result.all()
