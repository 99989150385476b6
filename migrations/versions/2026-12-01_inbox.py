"""The inbox: verified events kept as the platform sent them, acked once stored.

Revision ID: 0014
Revises: 0013
Created: 2026-12-01 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("conversation", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "dead", name="inbox_state", length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leased_until", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_event")),
        sa.UniqueConstraint(
            "platform",
            "workspace",
            "event_id",
            name=op.f("uq_inbox_event_platform_workspace_event_id"),
        ),
    )
    op.create_index(
        "ix_inbox_event_conversation",
        "inbox_event",
        ["platform", "workspace", "conversation", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_event_conversation", table_name="inbox_event")
    op.drop_table("inbox_event")
    sa.Enum(name="inbox_state").drop(op.get_bind(), checkfirst=True)
