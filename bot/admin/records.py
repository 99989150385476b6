"""What each exported record looks like: one source per table, each read a page at a time.

Anonymous answers and concerns carry no author, no id and only the date they were given (all
that is stored of them), and come after the named ones, ordered by what they say: a time of
day, an id or a place in the file next to someone's named answers could point back at them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import bulk
from storage.bulk import AnyRow, Query
from storage.core import Team, Workspace
from storage.learning import FollowThrough
from storage.okr import AnonymousConcern, ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.recognition import ShoutOut
from storage.retro import Adaptation, AnonymousAnswer, RetroAnswer, RetroCycle

Record = dict[str, Any]

FOLLOW_THROUGH = (
    FollowThrough.owner_id,
    FollowThrough.due_on,
    FollowThrough.fate,
    FollowThrough.decided_at,
)
"""Who took an adaptation on, until when, and what became of it (absent: nobody yet)."""
Source = Callable[[AsyncSession], AsyncIterator[Record]]


def sources(workspace: str | None) -> Sequence[Source]:
    def scoped(statement: Query, model: Any) -> Query:
        """Join the record's workspace, and keep only the one asked for."""
        statement = statement.join(Workspace, Workspace.id == model.workspace_id)
        if workspace is None:
            return statement
        return statement.where(Workspace.external_id == workspace)

    async def teams(session: AsyncSession) -> AsyncIterator[Record]:
        statement = scoped(select(Team.__table__, *bulk.WORKSPACE), Team)
        async for page in bulk.pages(session, statement, Team.id):
            leads = await bulk.leads(session, [row.id for row in page])
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
        async for row in bulk.rows(
            session, scoped(bulk.in_team(KeyResult), KeyResult), KeyResult.id
        ):
            yield {
                "type": "key_result",
                **_place(row),
                "code": f"KR{row.number}",
                "text": row.text,
                "guardrail": row.guardrail,
                "created_by": row.created_by,
                "created_at": _iso(row.created_at),
            }

    async def retro_cycles(session: AsyncSession) -> AsyncIterator[Record]:
        async for row in bulk.rows(
            session, scoped(bulk.in_team(RetroCycle), RetroCycle), RetroCycle.id
        ):
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
                .add_columns(*bulk.WORKSPACE),
                model,
            )

        async for row in bulk.rows(session, with_team(RetroAnswer), RetroAnswer.id):
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
        async for row in bulk.rows(session, with_team(AnonymousAnswer), *by_content):
            record = _answer(row, anonymous=True)
            del record["id"]
            yield {**record, "answered_at": row.answered_on.isoformat()}

    async def learning_stories(session: AsyncSession) -> AsyncIterator[Record]:
        statement = bulk.in_team(LearningStory).outerjoin(
            KeyResult, KeyResult.id == LearningStory.key_result_id
        )
        statement = statement.add_columns(KeyResult.number.label("kr_number"))
        async for row in bulk.rows(session, scoped(statement, LearningStory), LearningStory.id):
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
        statement = bulk.in_team(ImpactStory).outerjoin(
            KeyResult, KeyResult.id == ImpactStory.key_result_id
        )
        statement = statement.add_columns(KeyResult.number.label("kr_number"))
        async for row in bulk.rows(session, scoped(statement, ImpactStory), ImpactStory.id):
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
        statement = (
            scoped(bulk.in_team(Adaptation), Adaptation)
            .outerjoin(FollowThrough, FollowThrough.adaptation_id == Adaptation.id)
            .add_columns(*FOLLOW_THROUGH)
        )
        async for row in bulk.rows(session, statement, Adaptation.id):
            yield {
                "type": "adaptation",
                **_place(row),
                "cycle_id": row.cycle_id,
                "text": row.text,
                "created_at": _iso(row.created_at),
                "owner_id": row.owner_id,  # None: nobody took it on, or the team did
                "due_on": row.due_on.isoformat() if row.due_on else None,
                "fate": row.fate.value if row.fate else None,
                "decided_at": _iso(row.decided_at),
                "follow_up": row.follow_up,
                "followed_up_at": _iso(row.followed_up_at),
            }

    async def metric_concerns(session: AsyncSession) -> AsyncIterator[Record]:
        async for row in bulk.rows(
            session, scoped(bulk.in_team(MetricConcern), MetricConcern), MetricConcern.id
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
        statement = scoped(bulk.in_team(AnonymousConcern), AnonymousConcern)
        async for row in bulk.rows(session, statement, *by_content):
            record = _concern(row, anonymous=True)
            del record["id"]
            yield {**record, "created_at": row.raised_on.isoformat()}

    async def shout_outs(session: AsyncSession) -> AsyncIterator[Record]:
        # Deliberately no key-result field: recognition is kept apart from attainment.
        giver_team = aliased(Team)
        statement = scoped(
            select(
                ShoutOut.__table__, giver_team.name.label("giver_team"), *bulk.WORKSPACE
            ).outerjoin(giver_team, giver_team.id == ShoutOut.giver_team_id),
            ShoutOut,
        )
        async for page in bulk.pages(session, statement, ShoutOut.id):
            ids = [row.id for row in page]
            recipients = await bulk.recipients(session, ids)
            co_signs = await bulk.co_signers(session, ids)
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
        "reference": None if row.reference is None else f"C{row.reference}",
        **{part: getattr(row, part) for part in ("drives", "harms", "instead", "answer")},
        "team_visible": row.team_visible,
        "voices": {"named": row.voices_named, "anonymous": row.voices_anonymous},
        "decision": str(row.decision) if row.decision else None,
        # Only days, as for everything that belongs to an anonymous concern.
        "answered_on": row.answered_at.date().isoformat() if row.answered_at else None,
        "escalated_on": row.escalated_at.date().isoformat() if row.escalated_at else None,
    }


def _kr_code(number: int | None) -> str | None:
    return None if number is None else f"KR{number}"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
