"""The retrospectives part of a lead's weekly digest: stories, adaptations, concerns.

The digest tells every story whole: the outbox spreads a long digest over several messages,
so nothing a lead should read is cut. Only headings (a key result's text beside its code)
and the App Home, which shows a few stories at a glance, keep to excerpts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Section
from retrospectives.okrs import guardrails
from retrospectives.okrs.concerns import views
from storage import concerns, weeks
from storage.concerns import Concern
from storage.core import Team
from storage.okr import AnonymousConcern, ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.retro import Adaptation

EXCERPT = 280
WEEK_DAYS = timedelta(days=7)  # the digest covers the week before it is written


@dataclass(frozen=True, slots=True)
class Week:
    """What a team's digest tells of one week, as read from storage."""

    learning: Sequence[LearningStory]
    impact: Sequence[ImpactStory]
    raised: Sequence[MetricConcern | AnonymousConcern]
    key_results: Sequence[KeyResult]
    awaiting: Sequence[Adaptation]
    waiting: Sequence[Concern]


async def teams_sections(
    session: AsyncSession, *, workspace_id: int, teams: Sequence[Team], since: datetime
) -> dict[int, list[Section]]:
    """Narrate what each of ``teams`` (of one workspace) learned since ``since``: no names,
    no counts per person; read with one statement per table for all of them."""
    ids = {team.id for team in teams}
    learning = await weeks.learning_stories_since(
        session, workspace_id=workspace_id, team_ids=ids, since=since
    )
    impact = await weeks.impact_stories_since(
        session, workspace_id=workspace_id, team_ids=ids, since=since
    )
    told = await weeks.concerns(session, workspace_id=workspace_id, team_ids=ids, since=since)
    listed = await weeks.key_results(session, workspace_id=workspace_id, team_ids=ids)
    awaiting = await weeks.adaptations_awaiting_follow_up(
        session, workspace_id=workspace_id, team_ids=ids
    )
    return {
        team.id: sections(
            team,
            Week(
                learning=learning[team.id],
                impact=impact[team.id],
                raised=told.raised[team.id],
                key_results=listed[team.id],
                awaiting=awaiting[team.id],
                waiting=told.waiting[team.id],
            ),
            since=since,
        )
        for team in teams
    }


def sections(team: Team, week: Week, *, since: datetime) -> list[Section]:
    """Write a team's week as the digest's sections."""
    key_results = {k.id: k for k in week.key_results}
    found = _learning_sections(team, week.learning, key_results)
    if week.impact:
        found.append(
            Section(
                title=f"{team.name}: customer impact",
                text="\n".join(f"• {impact_line(s, None)}" for s in week.impact),
            )
        )
    promised = [s.adaptation for s in week.learning if s.adaptation]
    promised += [a.text for a in week.awaiting]
    if promised:
        found.append(
            Section(
                title=f"{team.name}: adaptations to follow up",
                text="\n".join(f"• {excerpt(text, None)}" for text in promised),
            )
        )
    if week.raised:
        found.append(
            Section(
                title=f"{team.name}: metric concerns raised",
                text="\n".join(f"• {views.concern_line(c)}" for c in week.raised),
            )
        )
    if not found:
        found.append(
            Section(
                title=team.name,
                text="No stories this week. A good question for the next stand-up: "
                "what did we learn, and what do customers do differently?",
            )
        )
    if week.waiting:
        today = since.date() + WEEK_DAYS
        found.append(
            Section(
                title=f"{team.name}: concerns awaiting an answer",
                text="\n".join(
                    f"• {views.open_line(c, today=today, raised=concerns.raised_on(c))}"
                    for c in week.waiting
                ),
            )
        )
    if week.key_results:  # the digest goes to leads: a key result without a guardrail is shown
        found.append(
            Section(
                title=f"{team.name}: {guardrails.KEY_RESULTS_TITLE}",
                text="\n".join(f"• {guardrails.line(k, for_leads=True)}" for k in week.key_results),
            )
        )
    return found


def _learning_sections(
    team: Team, stories: Sequence[LearningStory], key_results: dict[int, KeyResult]
) -> list[Section]:
    groups: dict[int | None, list[LearningStory]] = {}
    for story in stories:
        groups.setdefault(story.key_result_id, []).append(story)
    ordered = sorted(groups, key=lambda k: (k is None, key_results[k].number if k else 0))
    sections = []
    for key in ordered:
        if key is None:
            title = f"{team.name}: learning"
        else:
            kr = key_results[key]
            shown = (
                f"guardrail: {excerpt(kr.guardrail, 80)}"
                if kr.guardrail
                else guardrails.NO_GUARDRAIL
            )
            title = f"{team.name}: learning about {kr.code} ({excerpt(kr.text, 80)}; {shown})"
        lines = "\n".join(f"• {learning_line(s, None)}" for s in groups[key])
        sections.append(Section(title=title, text=lines))
    return sections


def learning_line(story: LearningStory, limit: int | None = EXCERPT) -> str:
    """One learning story as a sentence, each part cut at ``limit`` (None: whole)."""
    parts = []
    if story.hypothesis:
        parts.append(f"We believed {excerpt(story.hypothesis, limit)}")
    if story.learned:
        parts.append(f"we learned {excerpt(story.learned, limit)}")
    if not parts:
        parts.append(excerpt(story.text, limit))
    line = "; ".join(parts)
    if story.result is not None:
        line += f" ({story.result.value})"
    if story.outcome:
        line += f". What changed for customers: {excerpt(story.outcome, limit)}"
    elif story.awaiting_outcome:
        line += ". (Still to tell: what customers do differently.)"
    return line


def impact_line(story: ImpactStory, limit: int | None = EXCERPT) -> str:
    if story.before and story.after:
        who = f"{excerpt(story.who, limit and 80)}: " if story.who else ""
        return f"{who}before, {excerpt(story.before, limit)}; now, {excerpt(story.after, limit)}"
    return excerpt(story.text, limit)


def excerpt(text: str, limit: int | None = EXCERPT) -> str:
    """Put text on one line, shortened to ``limit`` characters at a word boundary if given."""
    flat = " ".join(text.split())
    if limit is None or len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"
