"""Write many rows fast: one executemany a chunk, without building a whole table in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

CHUNK = 5000  # rows per executemany, so that building the rows never holds a whole table
Rows = Iterator[dict[str, Any]]


async def ids(connection: AsyncConnection, model: Any, **where: Any) -> list[int]:
    """The ids of a table's rows (matching ``where``), in order."""
    statement = select(model.id).order_by(model.id)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return list((await connection.scalars(statement)).all())


async def insert_rows(
    connection: AsyncConnection, model: Any, rows: Rows, *, returning: bool = True
) -> list[int]:
    """Insert rows a chunk at a time (one executemany each); the new ids, in the rows' order."""
    table: Table = model.__table__
    statement: Any = insert(table)
    if returning:
        statement = statement.returning(table.c.id, sort_by_parameter_order=True)
    new_ids: list[int] = []
    for chunk in chunks(rows):
        result = await connection.execute(statement, chunk)
        if returning:
            new_ids += result.scalars().all()
    return new_ids


def chunks(rows: Rows, size: int = CHUNK) -> Iterator[Sequence[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
