"""The Goodhart loop: key result guardrails; concerns with references, parts, voices, answers.

A key result gets its guardrail (what must not get worse while the team pushes it); key results
recorded before have none, and their leads are shown that. Named and anonymous concerns get a
reference (``C7``), the optional parts (the behaviour the metric rewards, who is harmed, a
better measure), whether the team sees them, counts of voices, the team's answer and when the
concern was escalated; concerns raised before keep no reference and stay as they were.
``concern_voice`` notes, as a keyed hash, that someone voiced a concern, so nobody does twice;
``escalation_channel`` is where a workspace's unanswered concerns are raised.

Revision ID: 0010
Revises: 0009
Created: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONCERNS = ("metric_concern", "anonymous_concern")
DECISION = sa.Enum("kept", "changed", "replaced", name="concern_decision", length=16)


def upgrade() -> None:
    with op.batch_alter_table("key_result") as batch:
        batch.add_column(sa.Column("guardrail", sa.Text(), nullable=True))
    DECISION.create(op.get_bind(), checkfirst=True)
    for table in CONCERNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reference", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("drives", sa.Text(), nullable=True))
            batch.add_column(sa.Column("harms", sa.Text(), nullable=True))
            batch.add_column(sa.Column("instead", sa.Text(), nullable=True))
            batch.add_column(
                sa.Column("team_visible", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
            batch.add_column(
                sa.Column("voices_named", sa.Integer(), server_default="0", nullable=False)
            )
            batch.add_column(
                sa.Column("voices_anonymous", sa.Integer(), server_default="0", nullable=False)
            )
            batch.add_column(sa.Column("answer", sa.Text(), nullable=True))
            batch.add_column(sa.Column("decision", DECISION, nullable=True))
            batch.add_column(
                sa.Column("answered_at", storage.base.UTCDateTime(timezone=True), nullable=True)
            )
            batch.add_column(
                sa.Column("escalated_at", storage.base.UTCDateTime(timezone=True), nullable=True)
            )
            batch.create_unique_constraint(
                f"uq_{table}_team_id_reference", ["team_id", "reference"]
            )
    op.create_table(
        "concern_voice",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_concern_voice_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "reference", "marker", name=op.f("pk_concern_voice")),
    )
    op.create_table(
        "escalation_channel",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("after_days", sa.Integer(), server_default="14", nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_escalation_channel_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_escalation_channel")),
    )


def downgrade() -> None:
    op.drop_table("escalation_channel")
    op.drop_table("concern_voice")
    for table in CONCERNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_team_id_reference", type_="unique")
            for column in (
                "escalated_at",
                "answered_at",
                "decision",
                "answer",
                "voices_anonymous",
                "voices_named",
                "team_visible",
                "instead",
                "harms",
                "drives",
                "reference",
            ):
                batch.drop_column(column)
    DECISION.drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("key_result") as batch:
        batch.drop_column("guardrail")
