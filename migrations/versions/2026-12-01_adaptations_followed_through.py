"""Adaptations followed through: an owner (a person, or the team), a date, and their fate.

Revision ID: 0012
Revises: 0011
Created: 2026-12-01 16:51:05

A table of its own rather than columns on ``adaptation``: copying that table on SQLite (a batch
alter) would gain nothing, and an adaptation nobody took on simply has no row here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_through",
        sa.Column("adaptation_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=128), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("asked_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "fate",
            sa.Enum("open", "done", "dropped", name="adaptation_fate", length=16),
            nullable=False,
        ),
        sa.Column("decided_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["adaptation_id"],
            ["adaptation.id"],
            name=op.f("fk_follow_through_adaptation_id_adaptation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_follow_through_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("adaptation_id", name=op.f("pk_follow_through")),
    )


def downgrade() -> None:
    op.drop_table("follow_through")
    sa.Enum(name="adaptation_fate").drop(op.get_bind(), checkfirst=True)
