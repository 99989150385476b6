"""The retrospectives part of a lead's weekly digest: stories, adaptations, concerns.

The digest tells every story whole: the outbox spreads a long digest over several messages,
so nothing a lead should read is cut. Only headings (a key result's text beside its code)
and the App Home, which shows a few stories at a glance, keep to excerpts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Section
from retrospectives.okrs import guardrails
from retrospectives.okrs.concerns import views
from storage import concerns, okr, retro
from storage.core import Team
from storage.okr import AnonymousConcern, ImpactStory, KeyResult, LearningStory, MetricConcern

EXCERPT = 280
WEEK_DAYS = timedelta(days=7)  # the digest covers the week before it is written


async def team_sections(session: AsyncSession, *, team: Team, since: datetime) -> list[Section]:
    """Narrate what a team learned since ``since``: no names, no counts per person."""
    workspace_id, team_id = team.workspace_id, team.id
    learning = await okr.learning_stories_since(
        session, workspace_id=workspace_id, team_id=team_id, since=since
    )
    impact = await okr.impact_stories_since(
        session, workspace_id=workspace_id, team_id=team_id, since=since
    )
    raised: list[MetricConcern | AnonymousConcern] = [
        *await okr.concerns_since(session, workspace_id=workspace_id, team_id=team_id, since=since),
        *await okr.anonymous_concerns_told_since(
            session, workspace_id=workspace_id, team_id=team_id, since=since
        ),
    ]
    listed = await okr.key_results(session, workspace_id=team.workspace_id, team_id=team.id)
    key_results = {k.id: k for k in listed}
    sections = _learning_sections(team, learning, key_results)
    if impact:
        sections.append(
            Section(
                title=f"{team.name}: customer impact",
                text="\n".join(f"• {impact_line(s, None)}" for s in impact),
            )
        )
    promised = [s.adaptation for s in learning if s.adaptation]
    promised += [
        a.text
        for a in await retro.adaptations_awaiting_follow_up(
            session, workspace_id=team.workspace_id, team_id=team.id
        )
    ]
    if promised:
        sections.append(
            Section(
                title=f"{team.name}: adaptations to follow up",
                text="\n".join(f"• {excerpt(text, None)}" for text in promised),
            )
        )
    if raised:
        sections.append(
            Section(
                title=f"{team.name}: metric concerns raised",
                text="\n".join(f"• {views.concern_line(c)}" for c in raised),
            )
        )
    if not sections:
        sections.append(
            Section(
                title=team.name,
                text="No stories this week. A good question for the next stand-up: "
                "what did we learn, and what do customers do differently?",
            )
        )
    waiting = await concerns.open_concerns(session, workspace_id=workspace_id, team_id=team_id)
    if waiting:
        today = since.date() + WEEK_DAYS
        sections.append(
            Section(
                title=f"{team.name}: concerns awaiting an answer",
                text="\n".join(
                    f"• {views.open_line(c, today=today, raised=concerns.raised_on(c))}"
                    for c in waiting
                ),
            )
        )
    if listed:  # the digest goes to leads: a key result without a guardrail is shown as such
        sections.append(
            Section(
                title=f"{team.name}: {guardrails.KEY_RESULTS_TITLE}",
                text="\n".join(f"• {guardrails.line(k, for_leads=True)}" for k in listed),
            )
        )
    return sections


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
