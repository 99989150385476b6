"""Retrospective questions belong to a team, so one team's leads reword only their own.

Until now a workspace had one set of reworded questions, which any lead of any team could
change for every team. Each existing wording is copied to every team of its workspace, so no
team's retrospective changes on upgrade; from then on each team's leads change only their own.
Downgrading keeps, for each workspace and question, the most recently changed wording.

Revision ID: 0006
Revises: 0005
Created: 2026-12-01 13:28:01.267097
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("retro_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_retro_question_workspace_id_key"), type_="unique")

    op.execute(
        "INSERT INTO retro_question (workspace_id, team_id, key, text, updated_by, updated_at) "
        "SELECT q.workspace_id, t.id, q.key, q.text, q.updated_by, q.updated_at "
        "FROM retro_question q JOIN team t ON t.workspace_id = q.workspace_id "
        "WHERE q.team_id IS NULL"
    )
    op.execute("DELETE FROM retro_question WHERE team_id IS NULL")

    with op.batch_alter_table("retro_question", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_retro_question_team_id_key"), ["team_id", "key"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_retro_question_team_id_team"),
            "team",
            ["team_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("retro_question", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_retro_question_team_id_team"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_retro_question_team_id_key"), type_="unique")

    op.execute(
        "DELETE FROM retro_question WHERE EXISTS ("
        "SELECT 1 FROM retro_question newer "
        "WHERE newer.workspace_id = retro_question.workspace_id "
        "AND newer.key = retro_question.key "
        "AND (newer.updated_at > retro_question.updated_at "
        "OR (newer.updated_at = retro_question.updated_at AND newer.id > retro_question.id)))"
    )

    with op.batch_alter_table("retro_question", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_retro_question_workspace_id_key"), ["workspace_id", "key"]
        )
        batch_op.drop_column("team_id")
