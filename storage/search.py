"""Stories found by their words, with each database's own full-text search.

The index lives outside the models (migration 0011): on SQLite the FTS5 table ``story_search``
(a learning story's rowid is its id times two, an impact story's its id times two plus one),
kept in step by triggers; on PostgreSQL a GIN index over each story table's ``tsvector``, whose
expression the queries below repeat exactly, so that the planner uses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.okr import ImpactStory, KeyResult, LearningStory, StoryResult

Story = LearningStory | ImpactStory

# Names of the index's own objects, which Alembic's comparison with the models leaves alone.
SQLITE_TABLE = "story_search"
POSTGRES_INDEXES = frozenset({"ix_learning_story_search", "ix_impact_story_search"})
_FIELDS: dict[type[Story], tuple[str, ...]] = {
    LearningStory: ("text", "hypothesis", "tried", "evidence", "learned", "adaptation", "outcome"),
    ImpactStory: ("text", "who", "before", "after", "evidence"),
}
_ROWID = {LearningStory: (2, 0), ImpactStory: (2, 1)}
# What both databases' tokenizers treat as one word: letters and digits, nothing else.
_WORD = re.compile(r"[^\W_]+")


def outside_models(name: str | None, kind: str, parents: Any) -> bool:
    """Tell Alembic to compare everything but the search index with the models."""
    if name is None:
        return True
    if kind == "table":
        return not name.startswith(SQLITE_TABLE)
    return name not in POSTGRES_INDEXES


async def compact(session: AsyncSession) -> None:
    """Merge SQLite's index into one segment, dropping what deleted and rewritten rows left.

    FTS5 marks a removed row as deleted and keeps its words until segments merge; erasure
    merges them at once, so no erased id waits in the index. PostgreSQL's index has no copy.
    """
    if session.get_bind().dialect.name == "sqlite":
        index = table(SQLITE_TABLE, column(SQLITE_TABLE))
        await session.execute(index.insert().values({SQLITE_TABLE: "optimize"}))


def words_of(typed: str) -> list[str]:
    """The words a search looks for, as both databases cut text into words."""
    # lower(), not casefold(): both databases lower letters one by one ("ß" stays "ß").
    return [word.lower() for word in _WORD.findall(typed)]


@dataclass(frozen=True, slots=True)
class Window:
    """A team's stories written in ``[start, end)``: a quarter in the team's own timezone."""

    team_id: int
    start: datetime
    end: datetime


async def find_stories(
    session: AsyncSession,
    *,
    workspace_id: int,
    team_ids: Sequence[int],
    words: Sequence[str] = (),
    result: StoryResult | None = None,
    key_result_number: int | None = None,
    windows: Sequence[Window] | None = None,
    limit: int = 10,
) -> list[Story]:
    """The newest stories of these teams (of this workspace) with all the words, as prefixes."""
    if not team_ids:
        return []
    kinds: tuple[type[Story], ...] = (LearningStory,) if result else (LearningStory, ImpactStory)
    found: list[Story] = []
    for model in kinds:
        query: Select[Any] = select(model).where(
            model.workspace_id == workspace_id, model.team_id.in_(team_ids)
        )
        if words:
            query = query.where(matches(session, model, words))
        if result is not None:
            query = query.where(LearningStory.result == result)
        if key_result_number is not None:
            query = query.join(KeyResult, KeyResult.id == model.key_result_id).where(
                KeyResult.number == key_result_number
            )
        if windows is not None:
            query = query.where(_within(model, windows))
        query = query.order_by(model.created_at.desc(), model.id.desc()).limit(limit)
        found.extend((await session.scalars(query)).all())
    found.sort(key=lambda story: story.created_at, reverse=True)
    return found[:limit]


def _within(model: type[Story], windows: Sequence[Window]) -> ColumnElement[bool]:
    if not windows:
        return false()
    return or_(
        *(
            and_(
                model.team_id == window.team_id,
                model.created_at >= window.start,
                model.created_at < window.end,
            )
            for window in windows
        )
    )


def matches(session: AsyncSession, model: type[Story], words: Sequence[str]) -> ColumnElement[bool]:
    name = model.__tablename__
    if session.get_bind().dialect.name == "postgresql":
        joined = " || ' ' || ".join(f"coalesce({name}.\"{field}\", '')" for field in _FIELDS[model])
        document: ColumnElement[Any] = literal_column(f"to_tsvector('simple'::regconfig, {joined})")
        query = " & ".join(f"{word}:*" for word in words)
        return document.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), query))
    step, offset = _ROWID[model]
    index = table(SQLITE_TABLE, column("rowid"))
    rowid = index.c.rowid
    phrase = " ".join(f'"{word}"*' for word in words)
    # SQLite divides integers to an integer: the story id, with the kind in the remainder.
    matched = select(rowid.op("/")(step)).where(
        literal_column(SQLITE_TABLE).op("MATCH")(phrase), rowid % step == offset
    )
    return model.id.in_(matched)
