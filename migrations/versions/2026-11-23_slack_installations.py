"""slack installations and oauth states

Revision ID: 0002
Revises: 0001
Created: 2026-11-23 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation_key", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("installed_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_installation")),
        sa.UniqueConstraint(
            "installation_key", name=op.f("uq_slack_installation_installation_key")
        ),
    )
    op.create_table(
        "slack_oauth_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("expires_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_oauth_state")),
        sa.UniqueConstraint("state", name=op.f("uq_slack_oauth_state_state")),
    )


def downgrade() -> None:
    op.drop_table("slack_oauth_state")
    op.drop_table("slack_installation")
