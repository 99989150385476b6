"""A failed scheduled run waits before it is tried again (retry_at).

Revision ID: 0005
Revises: 0004
Created: 2026-12-01 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scheduled_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retry_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_run", schema=None) as batch_op:
        batch_op.drop_column("retry_at")
