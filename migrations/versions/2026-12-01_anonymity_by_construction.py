"""Anonymity by construction: anonymous answers and concerns in tables of their own.

Existing anonymous answers and concerns move there without an author and with only their day;
their old rows (and ids) are deleted. The anonymity threshold is kept per cycle and per team;
participants of closed cycles are forgotten except those who left named questions unanswered.

Revision ID: 0008
Revises: 0007
Created: 2026-12-02 09:00:00
"""

import random
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "anonymous_concern",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("harm", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("told_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_anonymous_concern_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_anonymous_concern_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_concern")),
    )
    with op.batch_alter_table("anonymous_concern", schema=None) as batch_op:
        batch_op.create_index("ix_anonymous_concern_team_id", ["team_id"], unique=False)

    op.create_table(
        "retro_anonymous_answer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["retro_cycle.id"],
            name=op.f("fk_retro_anonymous_answer_cycle_id_retro_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_retro_anonymous_answer_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_anonymous_answer")),
    )
    with op.batch_alter_table("retro_anonymous_answer", schema=None) as batch_op:
        batch_op.create_index("ix_retro_anonymous_answer_cycle_id", ["cycle_id"], unique=False)

    _move_anonymous_rows()

    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.drop_column("anonymous")

    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.drop_column("anonymous")

    with op.batch_alter_table("retro_cycle", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymity_min", sa.Integer(), server_default="3", nullable=False)
        )

    with op.batch_alter_table("retro_participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "answered_anonymously", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    participant = sa.table(
        "retro_participant",
        sa.column("cycle_id", sa.Integer()),
        sa.column("anonymous", sa.Boolean()),
        sa.column("answered_any", sa.Boolean()),
        sa.column("answered_anonymously", sa.Boolean()),
        sa.column("next_question", sa.Integer()),
        sa.column("question_count", sa.Integer()),
    )
    cycle = sa.table("retro_cycle", sa.column("id", sa.Integer()), sa.column("status", sa.String()))
    closed = sa.select(cycle.c.id).where(sa.cast(cycle.c.status, sa.String()) == "closed")
    op.execute(
        participant.update()
        .where(participant.c.anonymous.is_(True), participant.c.answered_any.is_(True))
        .values(answered_anonymously=True)
    )
    op.execute(
        participant.delete().where(
            participant.c.cycle_id.in_(closed),
            (participant.c.next_question >= participant.c.question_count)
            | participant.c.anonymous.is_(True),
        )
    )

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymity_min", sa.Integer(), nullable=True))


_ANSWER = sa.table(
    "retro_answer",
    sa.column("id", sa.Integer()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("cycle_id", sa.Integer()),
    sa.column("question_key", sa.String()),
    sa.column("question", sa.Text()),
    sa.column("author_id", sa.String()),
    sa.column("anonymous", sa.Boolean()),
    sa.column("text", sa.Text()),
    sa.column("answered_at", storage.base.UTCDateTime(timezone=True)),
)
_ANONYMOUS_ANSWER = sa.table(
    "retro_anonymous_answer",
    sa.column("id", sa.String()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("cycle_id", sa.Integer()),
    sa.column("question_key", sa.String()),
    sa.column("question", sa.Text()),
    sa.column("text", sa.Text()),
    sa.column("answered_on", sa.Date()),
)
_CONCERN = sa.table(
    "metric_concern",
    sa.column("id", sa.Integer()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("team_id", sa.Integer()),
    sa.column("author_id", sa.String()),
    sa.column("metric", sa.Text()),
    sa.column("harm", sa.Text()),
    sa.column("anonymous", sa.Boolean()),
    sa.column("created_at", storage.base.UTCDateTime(timezone=True)),
)
_ANONYMOUS_CONCERN = sa.table(
    "anonymous_concern",
    sa.column("id", sa.String()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("team_id", sa.Integer()),
    sa.column("metric", sa.Text()),
    sa.column("harm", sa.Text()),
    sa.column("raised_on", sa.Date()),
    sa.column("told_at", storage.base.UTCDateTime(timezone=True)),
)


def _move_anonymous_rows() -> None:
    """Move anonymous rows to their own tables: no author, the day only, shuffled, new ids."""
    bind = op.get_bind()
    answers = bind.execute(sa.select(_ANSWER).where(_ANSWER.c.anonymous.is_(True))).all()
    moved: list[dict[str, Any]] = [
        {
            "id": secrets.token_hex(16),
            "workspace_id": row.workspace_id,
            "cycle_id": row.cycle_id,
            "question_key": row.question_key,
            "question": row.question,
            "text": row.text,
            "answered_on": row.answered_at.date(),
        }
        for row in answers
    ]
    random.SystemRandom().shuffle(moved)
    if moved:
        bind.execute(_ANONYMOUS_ANSWER.insert(), moved)
    bind.execute(_ANSWER.delete().where(_ANSWER.c.anonymous.is_(True)))
    concerns = bind.execute(sa.select(_CONCERN).where(_CONCERN.c.anonymous.is_(True))).all()
    kept: list[dict[str, Any]] = [
        {
            "id": secrets.token_hex(16),
            "workspace_id": row.workspace_id,
            "team_id": row.team_id,
            "metric": row.metric,
            "harm": row.harm,
            "raised_on": row.created_at.date(),
            "told_at": _midnight(row.created_at.date()),  # leads were told when it was raised
        }
        for row in concerns
    ]
    random.SystemRandom().shuffle(kept)
    if kept:
        bind.execute(_ANONYMOUS_CONCERN.insert(), kept)
    bind.execute(_CONCERN.delete().where(_CONCERN.c.anonymous.is_(True)))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _restore_anonymous_rows() -> None:
    """Put anonymous rows back among the others, still without author, at midnight of their day."""
    bind = op.get_bind()
    for row in bind.execute(sa.select(_ANONYMOUS_ANSWER)).all():
        bind.execute(
            _ANSWER.insert().values(
                workspace_id=row.workspace_id,
                cycle_id=row.cycle_id,
                question_key=row.question_key,
                question=row.question,
                author_id=None,
                anonymous=True,
                text=row.text,
                answered_at=_midnight(row.answered_on),
            )
        )
    for row in bind.execute(sa.select(_ANONYMOUS_CONCERN)).all():
        bind.execute(
            _CONCERN.insert().values(
                workspace_id=row.workspace_id,
                team_id=row.team_id,
                author_id=None,
                metric=row.metric,
                harm=row.harm,
                anonymous=True,
                created_at=_midnight(row.raised_on),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("anonymity_min")

    with op.batch_alter_table("retro_participant", schema=None) as batch_op:
        batch_op.drop_column("answered_anonymously")

    with op.batch_alter_table("retro_cycle", schema=None) as batch_op:
        batch_op.drop_column("anonymity_min")

    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _restore_anonymous_rows()
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.alter_column("anonymous", server_default=None)
    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.alter_column("anonymous", server_default=None)

    with op.batch_alter_table("retro_anonymous_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_retro_anonymous_answer_cycle_id")

    op.drop_table("retro_anonymous_answer")
    with op.batch_alter_table("anonymous_concern", schema=None) as batch_op:
        batch_op.drop_index("ix_anonymous_concern_team_id")

    op.drop_table("anonymous_concern")
