"""Stories are found by their words: SQLite FTS5 kept by triggers, PostgreSQL GIN indexes.

Revision ID: 0011
Revises: 0009
Created: 2026-12-01 17:00:00

SQLite: one FTS5 table, ``story_search``, whose rowid says which story a row indexes (a
learning story's id times two, an impact story's times two plus one); triggers keep it in step
with every insert, update (an outcome added, erasure rewriting a text) and delete. A later
revision that copies ``learning_story`` or ``impact_story`` (a batch alter on SQLite) drops
these triggers with the old table and must create them again.

PostgreSQL: a GIN index over each story table's ``tsvector`` (the ``simple`` configuration), an
expression the queries of ``storage.search`` repeat word for word so that the planner uses it.
"""

from collections.abc import Sequence

from alembic import op

# Every statement below is built from this revision's own names and numbers, never from input.

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEARNING_FIELDS = ("text", "hypothesis", "tried", "evidence", "learned", "adaptation", "outcome")
IMPACT_FIELDS = ("text", "who", "before", "after", "evidence")
# table, the fields it is searched by, and the rowid of its stories in the SQLite index
STORY_TABLES = (
    ("learning_story", LEARNING_FIELDS, "{row}.id * 2"),
    ("impact_story", IMPACT_FIELDS, "{row}.id * 2 + 1"),
)


def _joined(fields: Sequence[str], row: str = "") -> str:
    prefix = f"{row}." if row else ""
    return " || ' ' || ".join(f"coalesce({prefix}\"{name}\", '')" for name in fields)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, fields, _ in STORY_TABLES:
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} "
                f"USING gin (to_tsvector('simple'::regconfig, {_joined(fields)}))"
            )
        return
    op.execute(
        "CREATE VIRTUAL TABLE story_search USING fts5("
        "body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for table, fields, rowid in STORY_TABLES:
        new_row, old_row = rowid.format(row="new"), rowid.format(row="old")
        values = f"({new_row}, {_joined(fields, 'new')})"
        add = f"INSERT INTO story_search (rowid, body) VALUES {values};"  # noqa: S608
        remove = f"DELETE FROM story_search WHERE rowid = {old_row};"  # noqa: S608
        op.execute(f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN {add} END")
        op.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} BEGIN {remove} {add} END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN {remove} END"
        )
        existing = f"SELECT {rowid.format(row=table)}, {_joined(fields, table)} FROM {table}"  # noqa: S608
        op.execute(f"INSERT INTO story_search (rowid, body) {existing}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, _, _ in STORY_TABLES:
            op.execute(f"DROP INDEX ix_{table}_search")
        return
    for table, _, _ in STORY_TABLES:
        for change in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_search_{change}")
    op.execute("DROP TABLE story_search")
