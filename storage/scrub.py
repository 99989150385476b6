"""Rewrite every value of some columns that names a person, a page at a time.

The database picks the rows that may name them (the id as a substring, plain or JSON-escaped);
the exact rewrite (word boundaries, mention markup, nested JSON) is done here, since neither
SQLite nor a portable SQL has it. Each page is one SELECT and one executemany, so a person with
thousands of rows costs a few round trips, not one per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Text, and_, bindparam, cast, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

PAGE = 500


def naming(column: Any, needle: str) -> ColumnElement[bool]:
    """True for a value that contains ``needle``, also inside JSON (where it may be escaped)."""
    text = cast(column, Text) if isinstance(column.type, JSON) else column
    spellings = {needle, json.dumps(needle)[1:-1]}
    return or_(*(text.contains(spelling, autoescape=True) for spelling in spellings))


def rewritten(value: Any, rewrite: Callable[[str], str]) -> Any:
    """``value`` with ``rewrite`` applied to every string in it, however deeply nested."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [rewritten(item, rewrite) for item in value]
    if isinstance(value, dict):
        return {key: rewritten(item, rewrite) for key, item in value.items()}
    return value


async def rewrite_columns(
    session: AsyncSession,
    model: Any,
    columns: Sequence[Any],
    *,
    needle: str,
    where: ColumnElement[bool],
    rewrite: Callable[[str], str],
) -> int:
    """Apply ``rewrite`` to ``columns`` of the rows (within ``where``) naming ``needle``."""
    table: Any = model.__table__
    [key] = table.primary_key.columns
    names = [c.key for c in columns]
    statement = (
        update(table)
        .where(key == bindparam("row_key"))
        .values({name: bindparam(f"new_{name}") for name in names})
    )
    changed_rows, after = 0, None
    while True:
        query = select(key, *(table.c[name] for name in names)).where(
            where, or_(*(naming(table.c[name], needle) for name in names))
        )
        if after is not None:
            query = query.where(and_(key > after))
        rows = (await session.execute(query.order_by(key).limit(PAGE))).all()
        changes = []
        for row in rows:
            before = dict(zip(names, row[1:], strict=True))
            after_values = {name: rewritten(value, rewrite) for name, value in before.items()}
            if after_values != before:
                changes.append(
                    {"row_key": row[0], **{f"new_{n}": v for n, v in after_values.items()}}
                )
        if changes:
            await session.execute(statement, changes)  # one executemany for the page
            changed_rows += len(changes)
        if len(rows) < PAGE:
            return changed_rows
        after = rows[-1][0]
