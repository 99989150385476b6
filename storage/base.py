"""The declarative base, its naming convention and the column types every table shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

WORK_WAITING = "okrbot.work_waiting"
"""Set in a session's ``info`` when its transaction writes work for now (outbox messages, or a
scheduled run already due): after committing such a transaction the unit of work wakes the
loops that do that work, and after any other (a story told) it wakes nothing."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so the value is normalised to UTC on the way in and marked UTC on
    the way out; PostgreSQL stores ``timestamptz`` and behaves the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(cls: type[StrEnum], name: str) -> Enum:
    """A column type for a StrEnum, stored by value (a PostgreSQL enum type called ``name``)."""
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], length=16)


def insert(dialect: str, table: Any) -> Any:
    """An INSERT into ``table`` in ``dialect``'s own form, which can say ON CONFLICT.

    Each dialect's module is imported when first asked for, so that a deployment on SQLite
    never loads PostgreSQL's (19 modules, about 2 MB); the engine loads its own dialect anyway.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise RuntimeError(f"unsupported database: {dialect}")  # pragma: no cover - only these two
