"""Every table, gathered for Alembic and for tests that compare models with migrations."""

from storage import core, installations, ledger, okr, recognition, retro, schedule, teams
from storage.base import Base

metadata = Base.metadata

__all__ = [
    "core",
    "installations",
    "ledger",
    "metadata",
    "okr",
    "recognition",
    "retro",
    "schedule",
    "teams",
]
