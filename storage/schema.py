"""Every table, gathered for Alembic and for tests that compare models with migrations."""

from storage import core, ledger, okr, recognition, retro, schedule
from storage.base import Base

metadata = Base.metadata

__all__ = ["core", "ledger", "metadata", "okr", "recognition", "retro", "schedule"]
