"""Every table, gathered for Alembic and for tests that compare models with migrations."""

from storage import (
    concerns,
    core,
    direct_chats,
    inbox,
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
    "concerns",
    "core",
    "direct_chats",
    "inbox",
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
