"""teams conversation references and the people seen in them

Revision ID: 0003
Revises: 0002
Created: 2026-11-23 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("bot_id", sa.String(length=128), nullable=False),
        sa.Column("bot_name", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("seen_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_conversation")),
        sa.UniqueConstraint(
            "tenant_id",
            "conversation_id",
            name=op.f("uq_teams_conversation_tenant_id_conversation_id"),
        ),
    )
    op.create_index("ix_teams_conversation_person", "teams_conversation", ["tenant_id", "user_id"])
    op.create_table(
        "teams_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("seen_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_person")),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_teams_person_tenant_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("teams_person")
    op.drop_index("ix_teams_conversation_person", table_name="teams_conversation")
    op.drop_table("teams_conversation")
