"""Key result guardrails: what must not get worse while a team pushes a key result.

Key results recorded before this revision have none; their leads are shown that and asked.

Revision ID: 0010
Revises: 0009
Created: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("key_result") as batch:
        batch.add_column(sa.Column("guardrail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_result") as batch:
        batch.drop_column("guardrail")
