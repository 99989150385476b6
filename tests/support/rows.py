"""Read what okrbot stored, through the sessions of a harness or an HTTP rig."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Stored(Protocol):
    """Anything that runs okrbot on a database: the harness, the Slack rig, the Teams rig."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...


async def count(owner: Stored, model: Any, *where: Any) -> int:
    """How many rows of ``model`` there are (those matching ``where``, if given)."""
    async with owner.sessions() as session:
        statement = select(func.count()).select_from(model).where(*where)
        return int(await session.scalar(statement) or 0)


async def rows(owner: Stored, model: Any) -> Sequence[Any]:
    """Every row of ``model``, oldest first."""
    async with owner.sessions() as session:
        return (await session.scalars(select(model).order_by(model.id))).all()
