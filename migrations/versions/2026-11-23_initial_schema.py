"""initial schema

Revision ID: 0001
Revises: nothing (the first revision)
Created: 2026-11-23 19:54:39.134782
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planner_mark",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("planned_through", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_planner_mark")),
    )
    op.create_table(
        "processed_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("processed_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_event")),
        sa.UniqueConstraint(
            "platform", "event_id", name=op.f("uq_processed_event_platform_event_id")
        ),
    )
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint(
            "platform", "external_id", name=op.f("uq_workspace_platform_external_id")
        ),
    )
    op.create_table(
        "channel_member",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_channel_member_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "channel_id", "user_id", name=op.f("pk_channel_member")
        ),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="outbox_status", length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leased_until", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_outbox_message_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint(
            "workspace_id",
            "idempotency_key",
            name=op.f("uq_outbox_message_workspace_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_due", ["status", "available_at"], unique=False)

    op.create_table(
        "retro_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_retro_question_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_question")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_retro_question_workspace_id_key")),
    )
    op.create_table(
        "scheduled_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "done", "skipped", "failed", name="run_status", length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("taken_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_scheduled_run_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_run")),
        sa.UniqueConstraint(
            "job", "subject", "due_at", name=op.f("uq_scheduled_run_job_subject_due_at")
        ),
    )
    with op.batch_alter_table("scheduled_run", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_run_due", ["status", "due_at"], unique=False)

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retro_schedule", sa.String(length=120), nullable=True),
        sa.Column("retro_schedule_set_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_team_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint(
            "workspace_id", "channel_id", name=op.f("uq_team_workspace_id_channel_id")
        ),
        sa.UniqueConstraint("workspace_id", "name_key", name=op.f("uq_team_workspace_id_name_key")),
    )
    op.create_table(
        "key_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_key_result_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_key_result_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_result")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_key_result_team_id_number")),
    )
    op.create_table(
        "metric_concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=128), nullable=True),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("harm", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_metric_concern_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_metric_concern_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_concern")),
    )
    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metric_concern_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "retro_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column(
            "status", sa.Enum("open", "closed", name="cycle_status", length=16), nullable=False
        ),
        sa.Column("opened_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.String(length=128), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_retro_cycle_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_retro_cycle_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_cycle")),
    )
    with op.batch_alter_table("retro_cycle", schema=None) as batch_op:
        batch_op.create_index("ix_retro_cycle_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "shout_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.String(length=128), nullable=True),
        sa.Column("giver_team_id", sa.Integer(), nullable=True),
        sa.Column(
            "behaviour",
            sa.Enum(
                "learning",
                "experiment",
                "helping",
                "customer",
                "other",
                name="behaviour",
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column(
            "status", sa.Enum("draft", "posted", name="shout_out_status", length=16), nullable=False
        ),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("posted_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["giver_team_id"],
            ["team.id"],
            name=op.f("fk_shout_out_giver_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_shout_out_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shout_out")),
    )
    with op.batch_alter_table("shout_out", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shout_out_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shout_out_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "team_lead",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("added_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_lead_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_lead")),
    )
    op.create_table(
        "adaptation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("followed_up_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["retro_cycle.id"],
            name=op.f("fk_adaptation_cycle_id_retro_cycle"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_adaptation_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_adaptation_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adaptation")),
    )
    op.create_table(
        "co_sign",
        sa.Column("shout_out_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shout_out_id"],
            ["shout_out.id"],
            name=op.f("fk_co_sign_shout_out_id_shout_out"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shout_out_id", "user_id", name=op.f("pk_co_sign")),
    )
    op.create_table(
        "impact_story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("key_result_id", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("command", "form", "shortcut", "retro", name="story_source", length=16),
            nullable=False,
        ),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["key_result.id"],
            name=op.f("fk_impact_story_key_result_id_key_result"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_impact_story_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_impact_story_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_story")),
    )
    with op.batch_alter_table("impact_story", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_story_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "learning_story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=True),
        sa.Column("tried", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("learned", sa.Text(), nullable=True),
        sa.Column(
            "result",
            sa.Enum("validated", "invalidated", "inconclusive", name="story_result", length=16),
            nullable=True,
        ),
        sa.Column("adaptation", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("key_result_id", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("command", "form", "shortcut", "retro", name="story_source", length=16),
            nullable=False,
        ),
        sa.Column("awaiting_outcome", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["key_result.id"],
            name=op.f("fk_learning_story_key_result_id_key_result"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_learning_story_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_learning_story_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_story")),
    )
    with op.batch_alter_table("learning_story", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_story_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "retro_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=128), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["retro_cycle.id"],
            name=op.f("fk_retro_answer_cycle_id_retro_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_retro_answer_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_answer")),
    )
    op.create_table(
        "retro_participant",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("next_question", sa.Integer(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("answered_any", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["retro_cycle.id"],
            name=op.f("fk_retro_participant_cycle_id_retro_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", "user_id", name=op.f("pk_retro_participant")),
    )
    op.create_table(
        "shout_out_recipient",
        sa.Column("shout_out_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shout_out_id"],
            ["shout_out.id"],
            name=op.f("fk_shout_out_recipient_shout_out_id_shout_out"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_shout_out_recipient_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shout_out_id", "team_id", name=op.f("pk_shout_out_recipient")),
    )


def downgrade() -> None:
    op.drop_table("shout_out_recipient")
    op.drop_table("retro_participant")
    op.drop_table("retro_answer")
    with op.batch_alter_table("learning_story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_story_created_at"))

    op.drop_table("learning_story")
    with op.batch_alter_table("impact_story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_story_created_at"))

    op.drop_table("impact_story")
    op.drop_table("co_sign")
    op.drop_table("adaptation")
    op.drop_table("team_lead")
    with op.batch_alter_table("shout_out", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shout_out_posted_at"))
        batch_op.drop_index(batch_op.f("ix_shout_out_created_at"))

    op.drop_table("shout_out")
    with op.batch_alter_table("retro_cycle", schema=None) as batch_op:
        batch_op.drop_index("ix_retro_cycle_team_status")

    op.drop_table("retro_cycle")
    with op.batch_alter_table("metric_concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_concern_created_at"))

    op.drop_table("metric_concern")
    op.drop_table("key_result")
    op.drop_table("team")
    with op.batch_alter_table("scheduled_run", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_run_due")

    op.drop_table("scheduled_run")
    op.drop_table("retro_question")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_due")

    op.drop_table("outbox_message")
    op.drop_table("channel_member")
    op.drop_table("workspace")
    op.drop_table("processed_event")
    op.drop_table("planner_mark")
    sa.Enum(name="behaviour").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="cycle_status").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="outbox_status").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="run_status").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="shout_out_status").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="story_result").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="story_source").drop(op.get_bind(), checkfirst=True)
