"""Erase one person from every workspace of a platform: forget who they were, keep the learning.

Stories, answers and concerns stay (they belong to the team), but no longer say who wrote them;
what only makes sense as that person (co-signs, being a lead, being a channel member, private
messages to them, their digests, their 1:1 chats and the kept ids of them) is deleted. Where
others' words or the bot's messages mention them, the mention becomes "a former member".
Afterwards their id is in no column of any table. Every step is one statement, or one per page
of rows, whatever the volume.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import Delete, Update, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import digest
from retrospectives.cycles import jobs as retro_jobs
from retrospectives.cycles.subjects import StartedOpening
from storage import scrub, search
from storage.core import ChannelMember, Team, TeamLead, Workspace
from storage.direct_chats import DirectChat
from storage.learning import FollowThrough
from storage.ledger import ProcessedEvent
from storage.okr import AnonymousConcern, ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.outbox import OutboxMessage
from storage.recognition import CoSign, ShoutOut, ShoutOutStatus
from storage.retro import (
    Adaptation,
    AnonymousAnswer,
    RetroAnswer,
    RetroCycle,
    RetroParticipant,
    RetroQuestion,
)
from storage.schedule import ScheduledRun

FORMER = "a former member"
# The columns where people's words, or the bot's messages and notes, may name someone.
_WORDS: Mapping[Any, tuple[str, ...]] = {
    KeyResult: ("text", "guardrail"),
    LearningStory: ("text", "hypothesis", "tried", "evidence", "learned", "adaptation", "outcome"),
    ImpactStory: ("text", "who", "before", "after", "evidence"),
    MetricConcern: ("metric", "harm", "drives", "harms", "instead", "answer"),
    AnonymousConcern: ("metric", "harm", "drives", "harms", "instead", "answer"),
    RetroCycle: ("title", "questions"),
    RetroAnswer: ("question", "text"),
    AnonymousAnswer: ("question", "text"),
    Adaptation: ("text", "follow_up"),
    RetroQuestion: ("text",),
    ShoutOut: ("text",),
    OutboxMessage: ("payload", "last_error"),
    ScheduledRun: ("note",),
}


Forget = Callable[[AsyncSession, str], Awaitable[tuple[dict[str, int], list[str]]]]
"""What a platform keeps of a person besides the core's rows (``ChatPlatform.forget``)."""


async def erase_user(
    session: AsyncSession, *, platform: str, user_id: str, forget: Forget | None = None
) -> dict[str, int]:
    """Remove or anonymise a person's data in every workspace of ``platform``; count the rows.

    ``forget`` erases what the platform itself keeps of them (Teams: their 1:1 chats and contact
    details), and names their conversations, whose processed events are forgotten too.
    """
    workspaces = select(Workspace.id).where(Workspace.platform == platform)
    teams = select(Team.id).where(Team.workspace_id.in_(workspaces))
    cycles = select(RetroCycle.id).where(RetroCycle.workspace_id.in_(workspaces))
    shout_outs = select(ShoutOut.id).where(ShoutOut.workspace_id.in_(workspaces))

    def unnamed(model: Any, column: Any) -> Update:
        return (
            update(model)
            .where(model.workspace_id.in_(workspaces), column == user_id)
            .values({column.key: None})
        )

    statements: Mapping[str, Update | Delete] = {
        "teams no longer naming their creator": unnamed(Team, Team.created_by),
        "key results no longer naming who added them": unnamed(KeyResult, KeyResult.created_by),
        "learning stories anonymised": unnamed(LearningStory, LearningStory.author_id),
        "impact stories anonymised": unnamed(ImpactStory, ImpactStory.author_id),
        "metric concerns anonymised": unnamed(MetricConcern, MetricConcern.author_id),
        "adaptations they looked after, now the team's": unnamed(
            FollowThrough, FollowThrough.owner_id
        ),
        "retrospective answers anonymised": unnamed(RetroAnswer, RetroAnswer.author_id),
        "retrospectives no longer naming who opened them": unnamed(
            RetroCycle, RetroCycle.opened_by
        ),
        "questions no longer naming who worded them": unnamed(
            RetroQuestion, RetroQuestion.updated_by
        ),
        "unposted shout-out drafts deleted": delete(ShoutOut).where(
            ShoutOut.workspace_id.in_(workspaces),
            ShoutOut.giver_id == user_id,
            ShoutOut.status == ShoutOutStatus.DRAFT,
        ),
        "shout-outs no longer naming their giver": unnamed(ShoutOut, ShoutOut.giver_id),
        "co-signs deleted": delete(CoSign).where(
            CoSign.user_id == user_id, CoSign.shout_out_id.in_(shout_outs)
        ),
        "team lead roles removed": delete(TeamLead).where(
            TeamLead.user_id == user_id, TeamLead.team_id.in_(teams)
        ),
        "retrospective invitations deleted": delete(RetroParticipant).where(
            RetroParticipant.user_id == user_id, RetroParticipant.cycle_id.in_(cycles)
        ),
        "channel memberships forgotten": delete(ChannelMember).where(
            ChannelMember.user_id == user_id, ChannelMember.workspace_id.in_(workspaces)
        ),
        "direct conversation ids forgotten": delete(DirectChat).where(
            DirectChat.user_id == user_id, DirectChat.workspace_id.in_(workspaces)
        ),
        "messages to them deleted": delete(OutboxMessage).where(
            OutboxMessage.workspace_id.in_(workspaces),
            OutboxMessage.audience == "person",
            OutboxMessage.target_id == user_id,
        ),
    }
    counts: dict[str, int] = {}
    for label, statement in statements.items():
        result = await session.execute(statement.execution_options(synchronize_session=False))
        counts[label] = _count(result)
    counts.update(await _forget_runs(session, workspaces=workspaces, user_id=user_id))
    counts.update(await _forget_mentions(session, workspaces=workspaces, user_id=user_id))
    await search.compact(session)
    chats: list[str] = []
    if forget is not None:
        forgotten, chats = await forget(session, user_id)
        counts.update(forgotten)
    counts["processed events forgotten"] = await _forget_events(
        session, platform=platform, names=[user_id, *chats]
    )
    return counts


def _mention(user_id: str) -> re.Pattern[str]:
    """The person's id as okrbot stores a mention or a reference to them.

    ``<@U7>`` and ``<@U7|ana>`` (Slack, and Teams mentions as the adapter reads them), ``@U7``
    (the console), or the id alone as a word.
    """
    person = re.escape(user_id)
    return re.compile(rf"<@{person}(?:\|[^>]*)?>|(?<![A-Za-z0-9_])@?{person}(?![A-Za-z0-9_])")


async def _forget_mentions(
    session: AsyncSession, *, workspaces: Any, user_id: str
) -> dict[str, int]:
    """Make every mention of the person in others' words and the bot's messages a neutral one."""
    mention = _mention(user_id)
    mentioned = 0
    for model, names in _WORDS.items():
        mentioned += await scrub.rewrite_columns(
            session,
            model,
            [getattr(model, name) for name in names],
            needle=user_id,
            where=model.workspace_id.in_(workspaces),
            rewrite=lambda text: mention.sub(FORMER, text),
        )
    # An idempotency key must stay unique, and two erased people must not share one; a token
    # drawn for this erasure keeps them apart and says nothing about who it was.
    token = f"erased-{secrets.token_hex(6)}"
    keys = await scrub.rewrite_columns(
        session,
        OutboxMessage,
        [OutboxMessage.idempotency_key],
        needle=user_id,
        where=OutboxMessage.workspace_id.in_(workspaces),
        rewrite=lambda key: mention.sub(token, key),
    )
    return {"records no longer mentioning them": mentioned, "message keys renamed": keys}


async def _forget_runs(session: AsyncSession, *, workspaces: Any, user_id: str) -> dict[str, int]:
    """Take the person out of scheduled runs: who started a retrospective, whose digest."""
    mine = ScheduledRun.workspace_id.in_(workspaces)
    started = await session.execute(
        update(ScheduledRun)
        .where(
            mine,
            ScheduledRun.job == retro_jobs.START_JOB,
            ScheduledRun.subject.endswith(StartedOpening.tail_naming(user_id), autoescape=True),
        )
        # "team:<id>" plus a unique tail: the retrospective still opens, as if scheduled.
        .values(
            subject=func.replace(
                ScheduledRun.subject,
                StartedOpening.tail_naming(user_id),
                StartedOpening.erased_tail(secrets.token_hex(6)),
            )
        )
        .execution_options(synchronize_session=False)
    )
    digests = await session.execute(
        delete(ScheduledRun)
        .where(
            mine,
            ScheduledRun.job == digest.JOB,
            ScheduledRun.subject.endswith(digest.LeadsMonday.tail_naming(user_id), autoescape=True),
        )
        .execution_options(synchronize_session=False)
    )
    return {
        "retrospective starts no longer naming them": _count(started),
        "digest runs deleted": _count(digests),
    }


async def _forget_events(session: AsyncSession, *, platform: str, names: list[str]) -> int:
    """Delete ledger entries whose event id names the person or their 1:1 chat (older rows).

    Event ids are stored hashed now; rows written before that may still carry ids in clear.
    """
    if not names:
        return 0
    result = await session.execute(
        delete(ProcessedEvent)
        .where(
            ProcessedEvent.platform == platform,
            or_(*(scrub.naming(ProcessedEvent.event_id, name) for name in names)),
        )
        .execution_options(synchronize_session=False)
    )
    return _count(result)


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
