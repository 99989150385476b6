"""Every table, gathered for Alembic and for tests that compare models with migrations."""

from storage import (
    core,
    installations,
    learning,
    ledger,
    okr,
    outbox,
    recognition,
    retro,
    schedule,
    teams,
)
from storage.base import Base

metadata = Base.metadata

__all__ = [
    "core",
    "installations",
    "learning",
    "ledger",
    "metadata",
    "okr",
    "outbox",
    "recognition",
    "retro",
    "schedule",
    "teams",
]
