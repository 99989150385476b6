"""Erase one person from every workspace of a platform: forget who they were, keep the learning.

Stories, answers and concerns stay (they belong to the team), but no longer say who wrote them;
what only makes sense as that person (co-signs, being a lead, being a channel member, private
messages to them) is deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Delete, Text, Update, bindparam, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Platform
from storage import teams as teams_storage
from storage.core import ChannelMember, Team, TeamLead, Workspace
from storage.ledger import OutboxMessage
from storage.okr import ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.recognition import CoSign, ShoutOut, ShoutOutStatus
from storage.retro import RetroAnswer, RetroCycle, RetroParticipant, RetroQuestion

ERASED = "(erased)"
BATCH = 500


async def erase_user(session: AsyncSession, *, platform: str, user_id: str) -> dict[str, int]:
    """Remove or anonymise a person's data in every workspace of ``platform``; count the rows."""
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
        "messages to them deleted": delete(OutboxMessage).where(
            OutboxMessage.workspace_id.in_(workspaces),
            OutboxMessage.audience == "person",
            OutboxMessage.target_id == user_id,
        ),
    }
    counts: dict[str, int] = {}
    for label, statement in statements.items():
        result = await session.execute(statement.execution_options(synchronize_session=False))
        counts[label] = int(getattr(result, "rowcount", 0) or 0)
    counts["messages no longer naming them"] = await _scrub_messages(
        session, workspaces=workspaces, user_id=user_id
    )
    if platform == Platform.TEAMS:
        counts["Teams chats and contact details forgotten"] = await teams_storage.forget_user(
            session, user_id=user_id
        )
    return counts


async def _scrub_messages(session: AsyncSession, *, workspaces: Any, user_id: str) -> int:
    """Replace the person's id in the text of messages the bot sent or will send to others."""
    mention = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(user_id)}(?![A-Za-z0-9_])")
    # The database picks the messages that may name them (their id, plain or JSON-escaped,
    # anywhere in the payload); the word-boundary check and the rewrite of nested JSON are
    # done here, a page at a time, since neither SQLite nor a portable SQL has them.
    payload = cast(OutboxMessage.payload, Text)
    spellings = {user_id, json.dumps(user_id)[1:-1]}
    naming = or_(*(payload.contains(spelling, autoescape=True) for spelling in spellings))
    table: Any = OutboxMessage.__table__
    rewrite = (
        update(table)
        .where(table.c.id == bindparam("outbox_id"))
        .values(payload=bindparam("cleaned"))
    )
    scrubbed, after = 0, 0
    while True:
        rows = (
            await session.execute(
                select(OutboxMessage.id, OutboxMessage.payload)
                .where(OutboxMessage.workspace_id.in_(workspaces), OutboxMessage.id > after, naming)
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            )
        ).all()
        changed = [
            {"outbox_id": message_id, "cleaned": cleaned}
            for message_id, before in rows
            if (cleaned := _replace_in(before, mention)) != before
        ]
        if changed:
            await session.execute(rewrite, changed)  # one executemany for the page
            scrubbed += len(changed)
        if len(rows) < BATCH:
            return scrubbed
        after = rows[-1][0]


def _replace_in(value: Any, mention: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return mention.sub(ERASED, value)
    if isinstance(value, list):
        return [_replace_in(item, mention) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in(item, mention) for key, item in value.items()}
    return value
