"""A team's quarterly learning report: what it shows, and the signed links that reach it.

A link is ``<OKRBOT_PUBLIC_URL>/report/<team id>/<quarter>?expires=<unix time>&signature=<hex>``,
the signature an HMAC-SHA256, with the first key of ``OKRBOT_SECRET_KEY``, over team, quarter
and expiry; any of the keys is accepted while one is rotated in. Without a public URL or a key
there are no links, and the route answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives.learning.commands import Quarter, parse_quarter
from retrospectives.learning.ledger import QuarterLedger, team_ledger
from retrospectives.learning.service import quarter_bounds, quarter_of
from storage import learning
from storage.core import Team
from storage.learning import FollowThrough, QuarterConcern
from storage.okr import ImpactStory, LearningStory
from storage.retro import Adaptation

LINK_LIFETIME = timedelta(days=30)
CHARTED_QUARTERS = 6
BEST_STORIES = 5


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one page shows: a team, a quarter, its ledger and its words."""

    team: Team
    quarter: Quarter
    history: Sequence[QuarterLedger]  # oldest first, ending with the report's quarter
    learning: Sequence[LearningStory]
    impact: Sequence[ImpactStory]
    adaptations: Sequence[tuple[Adaptation, FollowThrough | None]]
    concerns: Sequence[QuarterConcern]
    made_at: datetime

    @property
    def current(self) -> QuarterLedger:
        return self.history[-1]


def _learning_weight(story: LearningStory) -> tuple[int, int]:
    """Fuller stories first: a result, evidence, what was learned, the hypothesis, an outcome."""
    parts = (story.result, story.evidence, story.learned, story.hypothesis, story.outcome)
    return sum(1 for part in parts if part), len(story.text)


def _impact_weight(story: ImpactStory) -> tuple[int, int]:
    parts = (story.evidence, story.after, story.before, story.who)
    return sum(1 for part in parts if part), len(story.text)


async def gather(
    session: AsyncSession, *, team: Team, quarter: Quarter | None, now: datetime
) -> Report:
    """Read what the report of ``team`` for ``quarter`` (default: the current one) shows."""
    chosen = quarter or quarter_of(now, team.timezone)
    start, end = quarter_bounds(chosen, team.timezone)
    ledger = {entry.quarter: entry for entry in await team_ledger(session, team)}
    history = [ledger.get(q, QuarterLedger(q)) for q in _quarters_up_to(chosen, CHARTED_QUARTERS)]
    workspace_id, team_id = team.workspace_id, team.id
    told = await learning.stories_between(
        session, LearningStory, workspace_id=workspace_id, team_id=team_id, start=start, end=end
    )
    shown = await learning.stories_between(
        session, ImpactStory, workspace_id=workspace_id, team_id=team_id, start=start, end=end
    )
    concerns = await learning.concerns_between(
        session, workspace_id=workspace_id, team_id=team_id, start=start, end=end
    )
    best_learning = sorted(told, key=_learning_weight, reverse=True)
    best_impact = sorted(shown, key=_impact_weight, reverse=True)
    return Report(
        team=team,
        quarter=chosen,
        history=history,
        learning=best_learning[:BEST_STORIES],
        impact=best_impact[:BEST_STORIES],
        adaptations=ledger[chosen].adaptations if chosen in ledger else [],
        concerns=concerns,
        made_at=now,
    )


def _quarters_up_to(last: Quarter, count: int) -> list[Quarter]:
    index = last.year * 4 + last.number - 1
    return [Quarter(i // 4, i % 4 + 1) for i in range(index - count + 1, index + 1)]


def signature(key: str, *, team_id: int, quarter: Quarter, expires: int) -> str:
    message = f"report:{team_id}:{quarter.label}:{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def link(
    public_url: str,
    keys: Sequence[str],
    *,
    team_id: int,
    quarter: Quarter,
    now: datetime,
    lifetime: timedelta = LINK_LIFETIME,
) -> str | None:
    """A signed link to the report that expires after ``lifetime``; None without URL or key."""
    if not public_url or not keys:
        return None
    expires = int((now + lifetime).timestamp())
    query = urlencode(
        {
            "expires": expires,
            "signature": signature(keys[0], team_id=team_id, quarter=quarter, expires=expires),
        }
    )
    return f"{public_url.rstrip('/')}/report/{team_id}/{quarter.label}?{query}"


def verified(
    keys: Sequence[str], *, team_id: int, quarter: str, expires: str, given: str, now: datetime
) -> Quarter | None:
    """The quarter a link names, if its signature is good under some key and it has not expired."""
    chosen = parse_quarter(quarter)
    if chosen is None or not expires.isdigit() or int(expires) <= now.timestamp():
        return None
    for key in keys:
        wanted = signature(key, team_id=team_id, quarter=chosen, expires=int(expires))
        if hmac.compare_digest(wanted, given):
            return chosen
    return None
