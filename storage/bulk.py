"""Read whole tables for an export: a page at a time, in constant memory.

Rows are read as plain columns, never as ORM objects (no identity map grows with a table), one
page at a time after the last key seen (keyset pagination: an indexed query per page, the same
on SQLite and PostgreSQL, and no cursor held open while the caller writes), and what a page needs
from other tables (a team's leads, a shout-out's recipients and co-signs) comes in one query per
page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import Any, TypeAlias

from sqlalchemy import Row, Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from storage.core import Team, TeamLead, Workspace
from storage.recognition import CoSign, ShoutOutRecipient

PAGE = 1000
Query: TypeAlias = "Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"
Key: TypeAlias = "QueryableAttribute[Any]"


async def one_snapshot(session: AsyncSession) -> None:
    """On PostgreSQL, read every page from one snapshot, so the file is one moment's data."""
    # SQLite reads each page as it is then; keyset pages still list a row that stays put once.
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )


WORKSPACE = (Workspace.platform, Workspace.external_id.label("workspace"))


def in_team(model: Any) -> Query:
    """A table's columns, with its team's name and its workspace."""
    return (
        select(model.__table__, Team.name.label("team_name"))
        .join(Team, Team.id == model.team_id)
        .add_columns(*WORKSPACE)
    )


async def pages(
    session: AsyncSession, statement: Query, *key: Key
) -> AsyncIterator[Sequence[AnyRow]]:
    """Read rows a page at a time, in ``key`` order, each page starting after the last one."""
    order = tuple_(*key) if len(key) > 1 else key[0]
    last: tuple[Any, ...] | None = None
    while True:
        query = statement
        if last is not None:
            query = query.where(order > (tuple_(*last) if len(last) > 1 else last[0]))
        page = (await session.execute(query.order_by(*key).limit(PAGE))).all()
        if page:
            yield page
        if len(page) < PAGE:
            return
        last = tuple(getattr(page[-1], column.key) for column in key)


async def rows(session: AsyncSession, statement: Query, *key: Key) -> AsyncIterator[AnyRow]:
    async for page in pages(session, statement, *key):
        for row in page:
            yield row


async def _grouped(session: AsyncSession, statement: Any) -> dict[int, list[str]]:
    """Collect (id, value) rows into a list of values per id, in the statement's order."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    for key, value in await session.execute(statement):
        found[key].append(value)
    return found


async def leads(session: AsyncSession, team_ids: list[int]) -> dict[int, list[str]]:
    return await _grouped(
        session,
        select(TeamLead.team_id, TeamLead.user_id)
        .where(TeamLead.team_id.in_(team_ids))
        .order_by(TeamLead.added_at, TeamLead.user_id),
    )


async def recipients(session: AsyncSession, shout_out_ids: list[int]) -> dict[int, list[str]]:
    return await _grouped(
        session,
        select(ShoutOutRecipient.shout_out_id, Team.name)
        .join(Team, Team.id == ShoutOutRecipient.team_id)
        .where(ShoutOutRecipient.shout_out_id.in_(shout_out_ids))
        .order_by(Team.name_key),
    )


async def co_signers(session: AsyncSession, shout_out_ids: list[int]) -> dict[int, list[str]]:
    return await _grouped(
        session,
        select(CoSign.shout_out_id, CoSign.user_id)
        .where(CoSign.shout_out_id.in_(shout_out_ids))
        .order_by(CoSign.created_at, CoSign.user_id),
    )
