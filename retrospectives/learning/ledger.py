"""A team's learning ledger: what it tested, learned, showed and adapted, quarter by quarter.

Team figures only: every count is of a team's records in a quarter, none of a person's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from retrospectives.learning.commands import Quarter
from retrospectives.learning.service import quarter_of
from storage import learning
from storage.core import Team
from storage.learning import Fate, FollowThrough
from storage.okr import StoryResult
from storage.retro import Adaptation


@dataclass(slots=True)
class QuarterLedger:
    """One quarter of a team's learning, as counts."""

    quarter: Quarter
    validated: int = 0
    invalidated: int = 0
    inconclusive: int = 0
    untested: int = 0  # learning stories that name no result
    impact_with_evidence: int = 0
    impact_without_evidence: int = 0
    adaptations_done: int = 0
    adaptations_dropped: int = 0
    adaptations_open: int = 0
    concerns_raised: int = 0
    concerns_answered: int = 0
    adaptations: list[tuple[Adaptation, FollowThrough | None]] = field(default_factory=list)

    @property
    def hypotheses(self) -> int:
        return self.validated + self.invalidated + self.inconclusive

    @property
    def empty(self) -> bool:
        return not (
            self.hypotheses
            or self.untested
            or self.impact_with_evidence
            or self.impact_without_evidence
            or self.adaptations
            or self.concerns_raised
        )


def adaptation_fate(follow_through: FollowThrough | None) -> Fate:
    """Whether the team followed an adaptation through: done, dropped, or still open."""
    return Fate.OPEN if follow_through is None else follow_through.fate


async def team_ledger(session: AsyncSession, team: Team) -> list[QuarterLedger]:
    """The team's ledger, newest quarter first, from its first record to its last."""
    quarters: dict[Quarter, QuarterLedger] = {}
    scope = {"workspace_id": team.workspace_id, "team_id": team.id}

    def of(moment: datetime | date) -> QuarterLedger:
        if isinstance(moment, datetime):
            quarter = quarter_of(moment, team.timezone)
        else:
            quarter = Quarter(moment.year, (moment.month - 1) // 3 + 1)
        return quarters.setdefault(quarter, QuarterLedger(quarter))

    for told_at, result in await learning.story_results(session, **scope):
        entry = of(told_at)
        if result is StoryResult.VALIDATED:
            entry.validated += 1
        elif result is StoryResult.INVALIDATED:
            entry.invalidated += 1
        elif result is StoryResult.INCONCLUSIVE:
            entry.inconclusive += 1
        else:
            entry.untested += 1
    for told_at, evidenced in await learning.impact_evidence(session, **scope):
        entry = of(told_at)
        if evidenced:
            entry.impact_with_evidence += 1
        else:
            entry.impact_without_evidence += 1
    for adaptation, follow_through in await learning.adaptations(session, **scope):
        entry = of(adaptation.created_at)
        entry.adaptations.append((adaptation, follow_through))
        fate = adaptation_fate(follow_through)
        if fate is Fate.DONE:
            entry.adaptations_done += 1
        elif fate is Fate.DROPPED:
            entry.adaptations_dropped += 1
        else:
            entry.adaptations_open += 1
    for raised, answered in await learning.concern_days(session, **scope):
        entry = of(raised)
        entry.concerns_raised += 1
        entry.concerns_answered += answered
    return [quarters[quarter] for quarter in sorted(quarters, reverse=True)]
