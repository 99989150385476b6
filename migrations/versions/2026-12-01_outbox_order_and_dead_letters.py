"""Keep outbound messages in order per conversation; say why dead letters died.

Adds when a message was first claimed (to look for it on the platform after a crash), since
when it has been failing (transient failures end it after an age, not a count), why a dead
letter died, and the index the claim's "nothing earlier of this conversation is pending" reads.

Revision ID: 0007
Revises: 0006
Created: 2026-12-01 13:31:07.613044
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("failing_since", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("dead_reason", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_outbox_message_conversation",
            ["workspace_id", "target_id", "audience", "status", "id"],
            unique=False,
        )
    # Messages given up before this revision: after too many attempts, or refused.
    op.execute(
        "UPDATE outbox_message SET dead_reason = CASE WHEN last_error LIKE 'gave up%' "
        "THEN 'expired' ELSE 'refused' END WHERE status = 'failed'"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_conversation")
        batch_op.drop_column("dead_reason")
        batch_op.drop_column("failing_since")
        batch_op.drop_column("claimed_at")
