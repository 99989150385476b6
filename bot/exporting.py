"""Export a deployment's records as JSON Lines, for the admins who own the data."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any, TextIO, TypeAlias

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.core import Team, TeamLead, Workspace
from storage.okr import ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.recognition import CoSign, ShoutOut, ShoutOutRecipient
from storage.retro import Adaptation, RetroAnswer, RetroCycle

BATCH = 500
Record = dict[str, Any]
Query: TypeAlias = "Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"


async def export(
    sessions: async_sessionmaker[AsyncSession], out: TextIO, *, workspace: str | None = None
) -> int:
    """Write every record (of one workspace, by its platform id) as a line; return the count."""
    written = 0
    async with sessions() as session, session.begin():
        for records in _sources(workspace):
            async for record in records(session):
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
                written += 1
    return written


Source = Callable[[AsyncSession], AsyncIterator[Record]]


def _sources(workspace: str | None) -> Sequence[Source]:
    def scoped(statement: Query) -> Query:
        if workspace is None:
            return statement
        return statement.where(Workspace.external_id == workspace)

    async def teams(session: AsyncSession) -> AsyncIterator[Record]:
        statement = scoped(_in_workspace(select(Team, *_WHERE), Team).order_by(Team.id))
        async for batch in _batches(session, statement):
            leads = await _leads(session, [row[0].id for row in batch])
            for team, platform, external_id in batch:
                yield {
                    "type": "team",
                    "id": team.id,
                    "platform": platform,
                    "workspace": external_id,
                    "name": team.name,
                    "channel_id": team.channel_id,
                    "timezone": team.timezone,
                    "leads": leads.get(team.id, []),
                    "retro_schedule": team.retro_schedule,
                    "created_by": team.created_by,
                    "created_at": _iso(team.created_at),
                }

    async def key_results(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(select(KeyResult, Team.name, *_WHERE), KeyResult)
        async for kr, team_name, platform, external_id in _rows(session, scoped(statement)):
            yield {
                "type": "key_result",
                **_place(kr.id, platform, external_id, kr.team_id, team_name),
                "code": kr.code,
                "text": kr.text,
                "created_by": kr.created_by,
                "created_at": _iso(kr.created_at),
            }

    async def retro_cycles(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(select(RetroCycle, Team.name, *_WHERE), RetroCycle)
        async for cycle, team_name, platform, external_id in _rows(session, scoped(statement)):
            yield {
                "type": "retro_cycle",
                **_place(cycle.id, platform, external_id, cycle.team_id, team_name),
                "title": cycle.title,
                "status": cycle.status.value,
                "opened_by": cycle.opened_by,
                "opened_at": _iso(cycle.opened_at),
                "closes_at": _iso(cycle.closes_at),
                "closed_at": _iso(cycle.closed_at),
            }

    async def retro_answers(session: AsyncSession) -> AsyncIterator[Record]:
        statement = (
            select(RetroAnswer, RetroCycle.team_id, Team.name, *_WHERE)
            .join(RetroCycle, RetroCycle.id == RetroAnswer.cycle_id)
            .join(Team, Team.id == RetroCycle.team_id)
            .join(Workspace, Workspace.id == RetroAnswer.workspace_id)
            .order_by(RetroAnswer.id)
        )
        async for answer, team_id, team_name, platform, external_id in _rows(
            session, scoped(statement)
        ):
            record = {
                "type": "retro_answer",
                **_place(answer.id, platform, external_id, team_id, team_name),
                "cycle_id": answer.cycle_id,
                "question_key": answer.question_key,
                "question": answer.question,
                "anonymous": answer.anonymous,
                "text": answer.text,
                "answered_at": _iso(answer.answered_at),
            }
            yield _with_author(record, answer.author_id, anonymous=answer.anonymous)

    async def learning_stories(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(
            select(LearningStory, Team.name, *_WHERE, KeyResult.number), LearningStory
        ).outerjoin(KeyResult, KeyResult.id == LearningStory.key_result_id)
        async for story, team_name, platform, external_id, kr in _rows(session, scoped(statement)):
            yield {
                "type": "learning_story",
                **_place(story.id, platform, external_id, story.team_id, team_name),
                "author_id": story.author_id,
                "text": story.text,
                "hypothesis": story.hypothesis,
                "tried": story.tried,
                "evidence": story.evidence,
                "learned": story.learned,
                "result": story.result.value if story.result else None,
                "adaptation": story.adaptation,
                "outcome": story.outcome,
                "key_result": _kr_code(kr),
                "source": story.source.value,
                "awaiting_outcome": story.awaiting_outcome,
                "created_at": _iso(story.created_at),
            }

    async def impact_stories(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(
            select(ImpactStory, Team.name, *_WHERE, KeyResult.number), ImpactStory
        ).outerjoin(KeyResult, KeyResult.id == ImpactStory.key_result_id)
        async for story, team_name, platform, external_id, kr in _rows(session, scoped(statement)):
            yield {
                "type": "impact_story",
                **_place(story.id, platform, external_id, story.team_id, team_name),
                "author_id": story.author_id,
                "text": story.text,
                "who": story.who,
                "before": story.before,
                "after": story.after,
                "evidence": story.evidence,
                "key_result": _kr_code(kr),
                "source": story.source.value,
                "created_at": _iso(story.created_at),
            }

    async def adaptations(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(select(Adaptation, Team.name, *_WHERE), Adaptation)
        async for item, team_name, platform, external_id in _rows(session, scoped(statement)):
            yield {
                "type": "adaptation",
                **_place(item.id, platform, external_id, item.team_id, team_name),
                "cycle_id": item.cycle_id,
                "text": item.text,
                "created_at": _iso(item.created_at),
                "follow_up": item.follow_up,
                "followed_up_at": _iso(item.followed_up_at),
            }

    async def metric_concerns(session: AsyncSession) -> AsyncIterator[Record]:
        statement = _in_team(select(MetricConcern, Team.name, *_WHERE), MetricConcern)
        async for concern, team_name, platform, external_id in _rows(session, scoped(statement)):
            record = {
                "type": "metric_concern",
                **_place(concern.id, platform, external_id, concern.team_id, team_name),
                "metric": concern.metric,
                "harm": concern.harm,
                "anonymous": concern.anonymous,
                "created_at": _iso(concern.created_at),
            }
            yield _with_author(record, concern.author_id, anonymous=concern.anonymous)

    async def shout_outs(session: AsyncSession) -> AsyncIterator[Record]:
        # Deliberately no key-result field: recognition is kept apart from attainment.
        statement = scoped(
            select(
                ShoutOut.id,
                ShoutOut.giver_id,
                ShoutOut.giver_team_id,
                ShoutOut.behaviour,
                ShoutOut.text,
                ShoutOut.private,
                ShoutOut.status,
                ShoutOut.created_at,
                ShoutOut.posted_at,
                *_WHERE,
            )
            .join(Workspace, Workspace.id == ShoutOut.workspace_id)
            .order_by(ShoutOut.id)
        )
        async for batch in _batches(session, statement):
            ids = [row.id for row in batch]
            recipients = await _recipients(session, ids)
            co_signs = await _co_signs(session, ids)
            giver_teams = await _team_names(session, {r.giver_team_id for r in batch})
            for row in batch:
                yield {
                    "type": "shout_out",
                    "id": row.id,
                    "platform": row.platform,
                    "workspace": row.external_id,
                    "giver_id": row.giver_id,
                    "giver_team": giver_teams.get(row.giver_team_id),
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


_WHERE = (Workspace.platform, Workspace.external_id)


def _in_workspace(statement: Query, model: Any) -> Query:
    return statement.join(Workspace, Workspace.id == model.workspace_id)


def _in_team(statement: Query, model: Any) -> Query:
    return (
        statement.join(Team, Team.id == model.team_id)
        .join(Workspace, Workspace.id == model.workspace_id)
        .order_by(model.id)
    )


async def _batches(session: AsyncSession, statement: Query) -> AsyncIterator[Sequence[AnyRow]]:
    """Read rows a batch at a time, so a large deployment never sits in memory at once."""
    result = await session.stream(statement.execution_options(yield_per=BATCH))
    async for batch in result.partitions(BATCH):
        yield batch
        session.expunge_all()  # forget the batch's objects before reading the next one


async def _rows(session: AsyncSession, statement: Query) -> AsyncIterator[AnyRow]:
    async for batch in _batches(session, statement):
        for row in batch:
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


async def _team_names(session: AsyncSession, team_ids: set[int | None]) -> dict[int | None, str]:
    wanted = [team_id for team_id in team_ids if team_id is not None]
    if not wanted:
        return {}
    rows = await session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted)))
    return {team_id: name for team_id, name in rows}


def _place(record_id: int, platform: str, external_id: str, team_id: int, team_name: str) -> Record:
    return {
        "id": record_id,
        "platform": platform,
        "workspace": external_id,
        "team_id": team_id,
        "team": team_name,
    }


def _with_author(record: Record, author_id: str | None, *, anonymous: bool) -> Record:
    """Add the author, unless the record is anonymous: then there is no author at all."""
    if not anonymous:
        record["author_id"] = author_id
    return record


def _kr_code(number: int | None) -> str | None:
    return None if number is None else f"KR{number}"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
