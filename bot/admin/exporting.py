"""Export a deployment's records as JSON Lines, for the admins who own the data.

Memory stays flat whatever the volume: rows are read as plain columns, never as ORM objects
(no identity map grows with a table), one page at a time after the last key seen (keyset
pagination: an indexed query per page, the same on SQLite and PostgreSQL, and no cursor held
open while the output is written), and what a page needs from other tables (a team's leads, a
shout-out's recipients and co-signs) comes in one query per page.

Anonymous answers and concerns carry no author, no id and only the date they were given (all
that is stored of them), and come after the named ones, ordered by what they say: a time of
day, an id or a place in the file next to someone's named answers could point back at them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeAlias, cast

from sqlalchemy import Row, Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import QueryableAttribute, aliased

from storage.core import Team, TeamLead, Workspace
from storage.okr import AnonymousConcern, ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.recognition import CoSign, ShoutOut, ShoutOutRecipient
from storage.retro import Adaptation, AnonymousAnswer, RetroAnswer, RetroCycle

PAGE = 1000
Record = dict[str, Any]
Query: TypeAlias = "Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"
Source = Callable[[AsyncSession], AsyncIterator[Record]]
Key: TypeAlias = "QueryableAttribute[Any]"


async def export(
    sessions: async_sessionmaker[AsyncSession], out: TextIO, *, workspace: str | None = None
) -> int:
    """Write every record (of one workspace, by its platform id) as a line; return the count."""
    written = 0
    async with sessions() as session, session.begin():
        await _one_snapshot(session)
        for records in _sources(workspace):
            async for record in records(session):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


@contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """Write to a temporary file beside ``path``, moved into place only if all of it was written.

    A failed export must never leave a file that looks complete, nor clobber the last good one.
    A temporary file in the same directory can be renamed over the target atomically; it is
    created readable by its owner alone, which suits a file full of what people said.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the rename)
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            yield cast(TextIO, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


async def _one_snapshot(session: AsyncSession) -> None:
    """On PostgreSQL, read every page from one snapshot, so the file is one moment's data."""
    # SQLite reads each page as it is then; keyset pages still list a row that stays put once.
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )


def _sources(workspace: str | None) -> Sequence[Source]:
    def scoped(statement: Query, model: Any) -> Query:
        """Join the record's workspace, and keep only the one asked for."""
        statement = statement.join(Workspace, Workspace.id == model.workspace_id)
        if workspace is None:
            return statement
        return statement.where(Workspace.external_id == workspace)

    async def teams(session: AsyncSession) -> AsyncIterator[Record]:
        statement = scoped(select(Team.__table__, *_WHERE), Team)
        async for page in _pages(session, statement, Team.id):
            leads = await _leads(session, [row.id for row in page])
            for row in page:
                yield {
                    "type": "team",
                    "id": row.id,
                    "platform": row.platform,
                    "workspace": row.workspace,
                    "name": row.name,
                    "channel_id": row.channel_id,
                    "timezone": row.timezone,
                    "leads": leads.get(row.id, []),
                    "retro_schedule": row.retro_schedule,
                    "created_by": row.created_by,
                    "created_at": _iso(row.created_at),
                }

    async def key_results(session: AsyncSession) -> AsyncIterator[Record]:
        async for row in _rows(session, scoped(_in_team(KeyResult), KeyResult), KeyResult.id):
            yield {
                "type": "key_result",
                **_place(row),
                "code": f"KR{row.number}",
                "text": row.text,
                "created_by": row.created_by,
                "created_at": _iso(row.created_at),
            }

    async def retro_cycles(session: AsyncSession) -> AsyncIterator[Record]:
        async for row in _rows(session, scoped(_in_team(RetroCycle), RetroCycle), RetroCycle.id):
            yield {
                "type": "retro_cycle",
                **_place(row),
                "title": row.title,
                "status": row.status.value,
                "opened_by": row.opened_by,
                "opened_at": _iso(row.opened_at),
                "closes_at": _iso(row.closes_at),
                "closed_at": _iso(row.closed_at),
            }

    async def retro_answers(session: AsyncSession) -> AsyncIterator[Record]:
        def with_team(model: Any) -> Query:
            columns = select(model.__table__, RetroCycle.team_id, Team.name.label("team_name"))
            return scoped(
                columns.join(RetroCycle, RetroCycle.id == model.cycle_id)
                .join(Team, Team.id == RetroCycle.team_id)
                .add_columns(*_WHERE),
                model,
            )

        async for row in _rows(session, with_team(RetroAnswer), RetroAnswer.id):
            yield {
                **_answer(row, anonymous=False),
                "author_id": row.author_id,
                "answered_at": _iso(row.answered_at),
            }
        # Ordered by what was said, not by id or time: nothing ties them to who answered when.
        by_content = (
            AnonymousAnswer.cycle_id,
            AnonymousAnswer.question_key,
            AnonymousAnswer.text,
            AnonymousAnswer.id,
        )
        async for row in _rows(session, with_team(AnonymousAnswer), *by_content):
            record = _answer(row, anonymous=True)
            del record["id"]
            yield {**record, "answered_at": row.answered_on.isoformat()}

    async def learning_stories(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(LearningStory).outerjoin(
            KeyResult, KeyResult.id == LearningStory.key_result_id
        )
        statement = statement.add_columns(KeyResult.number.label("kr_number"))
        async for row in _rows(session, scoped(statement, LearningStory), LearningStory.id):
            yield {
                "type": "learning_story",
                **_place(row),
                "author_id": row.author_id,
                "text": row.text,
                "hypothesis": row.hypothesis,
                "tried": row.tried,
                "evidence": row.evidence,
                "learned": row.learned,
                "result": row.result.value if row.result else None,
                "adaptation": row.adaptation,
                "outcome": row.outcome,
                "key_result": _kr_code(row.kr_number),
                "source": row.source.value,
                "awaiting_outcome": row.awaiting_outcome,
                "created_at": _iso(row.created_at),
            }

    async def impact_stories(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(ImpactStory).outerjoin(
            KeyResult, KeyResult.id == ImpactStory.key_result_id
        )
        statement = statement.add_columns(KeyResult.number.label("kr_number"))
        async for row in _rows(session, scoped(statement, ImpactStory), ImpactStory.id):
            yield {
                "type": "impact_story",
                **_place(row),
                "author_id": row.author_id,
                "text": row.text,
                "who": row.who,
                "before": row.before,
                "after": row.after,
                "evidence": row.evidence,
                "key_result": _kr_code(row.kr_number),
                "source": row.source.value,
                "created_at": _iso(row.created_at),
            }

    async def adaptations(session: AsyncSession) -> AsyncIterator[Record]:
        async for row in _rows(session, scoped(_in_team(Adaptation), Adaptation), Adaptation.id):
            yield {
                "type": "adaptation",
                **_place(row),
                "cycle_id": row.cycle_id,
                "text": row.text,
                "created_at": _iso(row.created_at),
                "follow_up": row.follow_up,
                "followed_up_at": _iso(row.followed_up_at),
            }

    async def metric_concerns(session: AsyncSession) -> AsyncIterator[Record]:
        async for row in _rows(
            session, scoped(_in_team(MetricConcern), MetricConcern), MetricConcern.id
        ):
            yield {
                **_concern(row, anonymous=False),
                "author_id": row.author_id,
                "created_at": _iso(row.created_at),
            }
        by_content = (
            AnonymousConcern.team_id,
            AnonymousConcern.metric,
            AnonymousConcern.harm,
            AnonymousConcern.id,
        )
        statement = scoped(_in_team(AnonymousConcern), AnonymousConcern)
        async for row in _rows(session, statement, *by_content):
            record = _concern(row, anonymous=True)
            del record["id"]
            yield {**record, "created_at": row.raised_on.isoformat()}

    async def shout_outs(session: AsyncSession) -> AsyncIterator[Record]:
        # Deliberately no key-result field: recognition is kept apart from attainment.
        giver_team = aliased(Team)
        statement = scoped(
            select(ShoutOut.__table__, giver_team.name.label("giver_team"), *_WHERE).outerjoin(
                giver_team, giver_team.id == ShoutOut.giver_team_id
            ),
            ShoutOut,
        )
        async for page in _pages(session, statement, ShoutOut.id):
            ids = [row.id for row in page]
            recipients = await _recipients(session, ids)
            co_signs = await _co_signs(session, ids)
            for row in page:
                yield {
                    "type": "shout_out",
                    "id": row.id,
                    "platform": row.platform,
                    "workspace": row.workspace,
                    "giver_id": row.giver_id,
                    "giver_team": row.giver_team,
                    "to_teams": recipients.get(row.id, []),
                    "behaviour": row.behaviour.value,
                    "text": row.text,
                    "private": row.private,
                    "status": row.status.value,
                    "co_signed_by": co_signs.get(row.id, []),
                    "created_at": _iso(row.created_at),
                    "posted_at": _iso(row.posted_at),
                }

    return (
        teams,
        key_results,
        retro_cycles,
        retro_answers,
        learning_stories,
        impact_stories,
        adaptations,
        metric_concerns,
        shout_outs,
    )


_WHERE = (Workspace.platform, Workspace.external_id.label("workspace"))


def _in_team(model: Any) -> Query:
    """A table's columns, with its team's name and its workspace."""
    return (
        select(model.__table__, Team.name.label("team_name"))
        .join(Team, Team.id == model.team_id)
        .add_columns(*_WHERE)
    )


async def _pages(
    session: AsyncSession, statement: Query, *key: Key
) -> AsyncIterator[Sequence[AnyRow]]:
    """Read rows a page at a time, in ``key`` order, each page starting after the last one."""
    order = tuple_(*key) if len(key) > 1 else key[0]
    last: tuple[Any, ...] | None = None
    while True:
        query = statement
        if last is not None:
            query = query.where(order > (tuple_(*last) if len(last) > 1 else last[0]))
        page = (await session.execute(query.order_by(*key).limit(PAGE))).all()
        if page:
            yield page
        if len(page) < PAGE:
            return
        last = tuple(getattr(page[-1], column.key) for column in key)


async def _rows(session: AsyncSession, statement: Query, *key: Key) -> AsyncIterator[AnyRow]:
    async for page in _pages(session, statement, *key):
        for row in page:
            yield row


async def _grouped(session: AsyncSession, statement: Any) -> dict[int, list[str]]:
    """Collect (id, value) rows into a list of values per id, in the statement's order."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    for key, value in await session.execute(statement):
        found[key].append(value)
    return found


async def _leads(session: AsyncSession, team_ids: list[int]) -> dict[int, list[str]]:
    return await _grouped(
        session,
        select(TeamLead.team_id, TeamLead.user_id)
        .where(TeamLead.team_id.in_(team_ids))
        .order_by(TeamLead.added_at, TeamLead.user_id),
    )


async def _recipients(session: AsyncSession, shout_out_ids: list[int]) -> dict[int, list[str]]:
    return await _grouped(
        session,
        select(ShoutOutRecipient.shout_out_id, Team.name)
        .join(Team, Team.id == ShoutOutRecipient.team_id)
        .where(ShoutOutRecipient.shout_out_id.in_(shout_out_ids))
        .order_by(Team.name_key),
    )


async def _co_signs(session: AsyncSession, shout_out_ids: list[int]) -> dict[int, list[str]]:
    return await _grouped(
        session,
        select(CoSign.shout_out_id, CoSign.user_id)
        .where(CoSign.shout_out_id.in_(shout_out_ids))
        .order_by(CoSign.created_at, CoSign.user_id),
    )


def _place(row: AnyRow) -> Record:
    return {
        "id": row.id,
        "platform": row.platform,
        "workspace": row.workspace,
        "team_id": row.team_id,
        "team": row.team_name,
    }


def _answer(row: AnyRow, *, anonymous: bool) -> Record:
    return {
        "type": "retro_answer",
        **_place(row),
        "cycle_id": row.cycle_id,
        "question_key": row.question_key,
        "question": row.question,
        "anonymous": anonymous,
        "text": row.text,
    }


def _concern(row: AnyRow, *, anonymous: bool) -> Record:
    return {
        "type": "metric_concern",
        **_place(row),
        "metric": row.metric,
        "harm": row.harm,
        "anonymous": anonymous,
    }


def _kr_code(number: int | None) -> str | None:
    return None if number is None else f"KR{number}"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
