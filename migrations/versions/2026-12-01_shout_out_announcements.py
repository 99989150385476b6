"""Shout-out announcements: the outbox messages that announced a shout-out, by their key.

A reaction finds the shout-out it co-signs through this table instead of reading the shout-out
id back out of the outbox key. Announcements already in team channels are carried over; those
sent privately to leads are not (their keys name the lead, which this table must not keep).

Revision ID: 0009
Revises: 0008
Created: 2026-12-01 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shout_out_announcement",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("outbox_key", sa.String(length=255), nullable=False),
        sa.Column("shout_out_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shout_out_id"],
            ["shout_out.id"],
            name=op.f("fk_shout_out_announcement_shout_out_id_shout_out"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_shout_out_announcement_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "outbox_key", name=op.f("pk_shout_out_announcement")
        ),
    )
    with op.batch_alter_table("shout_out_announcement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shout_out_announcement_shout_out_id", ["shout_out_id"], unique=False
        )
    # A channel announcement's key is exactly "shoutout:<id>:team:<team id>".
    op.execute(
        "INSERT INTO shout_out_announcement (workspace_id, outbox_key, shout_out_id) "
        "SELECT o.workspace_id, o.idempotency_key, s.id "
        "FROM outbox_message o JOIN shout_out s ON s.workspace_id = o.workspace_id "
        "JOIN shout_out_recipient r ON r.shout_out_id = s.id "
        "WHERE o.idempotency_key = 'shoutout:' || s.id || ':team:' || r.team_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("shout_out_announcement", schema=None) as batch_op:
        batch_op.drop_index("ix_shout_out_announcement_shout_out_id")
    op.drop_table("shout_out_announcement")
