"""Index stories and concerns by team and time, as digests read them.

Revision ID: 0004
Revises: 0003
Created: 2026-11-23 20:42:28.626493
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("impact_story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_story_created_at"))
        batch_op.create_index(
            "ix_impact_story_team_created", ["team_id", "created_at"], unique=False
        )

    with op.batch_alter_table("learning_story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_story_created_at"))
        batch_op.create_index(
            "ix_learning_story_team_created", ["team_id", "created_at"], unique=False
        )

    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_concern_created_at"))
        batch_op.create_index(
            "ix_metric_concern_team_created", ["team_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_concern_team_created")
        batch_op.create_index(
            batch_op.f("ix_metric_concern_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("learning_story", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_story_team_created")
        batch_op.create_index(
            batch_op.f("ix_learning_story_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("impact_story", schema=None) as batch_op:
        batch_op.drop_index("ix_impact_story_team_created")
        batch_op.create_index(
            batch_op.f("ix_impact_story_created_at"), ["created_at"], unique=False
        )
