"""Index a lead's teams by the lead, a team's shout-outs and adaptations by the team.

A Monday's digests look each of these up once per lead; without these indexes each lookup
read the whole table (team_lead by user, shout_out_recipient and adaptation by team), which at
a thousand teams cost more than everything else in a digest. Plain CREATE INDEX on both
databases: no table is copied, so the story search triggers on SQLite are untouched.

Revision ID: 0013
Revises: 0012
Created: 2026-12-01 19:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_team_lead_user_id"), "team_lead", ["user_id"], unique=False)
    op.create_index(
        op.f("ix_shout_out_recipient_team_id"), "shout_out_recipient", ["team_id"], unique=False
    )
    op.create_index(op.f("ix_adaptation_team_id"), "adaptation", ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_adaptation_team_id"), table_name="adaptation")
    op.drop_index(op.f("ix_shout_out_recipient_team_id"), table_name="shout_out_recipient")
    op.drop_index(op.f("ix_team_lead_user_id"), table_name="team_lead")
