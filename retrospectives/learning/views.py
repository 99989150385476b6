"""Presenters: a team's learning over time as sections and replies."""

from __future__ import annotations

from bot.replies import Field, Outcome, Section, private
from retrospectives.learning import service, texts
from retrospectives.learning.ledger import QuarterLedger
from storage.okr import LearningStory

SHOWN_TEXT = 600


def search_results(found: service.Found) -> Outcome:
    """The stories a search found, each headed by its kind, team, quarter, result and KR."""
    names = [team.name for team in found.teams]
    if not found.stories:
        return private(texts.search_nothing(names))
    by_id = {team.id: team for team in found.teams}
    sections = []
    for story in found.stories:
        team = by_id[story.team_id]
        learning = isinstance(story, LearningStory)
        details = []
        if isinstance(story, LearningStory) and story.result is not None:
            details.append(story.result.value)
        if story.key_result_id in found.key_results:
            details.append(found.key_results[story.key_result_id])
        quarter = service.quarter_of(story.created_at, team.timezone).label
        kind = texts.LEARNING_KIND if learning else texts.IMPACT_KIND
        sections.append(
            Section(
                text=_cut(story.text), title=texts.story_heading(kind, team.name, quarter, details)
            )
        )
    if found.more:
        sections.append(Section(text=texts.MORE_MATCH))
    return private(texts.search_found(len(found.stories), names), *sections)


def _cut(text: str) -> str:
    if len(text) <= SHOWN_TEXT:
        return text
    return text[: SHOWN_TEXT - 1].rstrip() + texts.SEARCH_CUT


def ledger(team: str, quarters: list[QuarterLedger]) -> Outcome:
    """A team's ledger: one section a quarter, newest first, the latest few."""
    if not quarters:
        return private(texts.ledger_empty(team))
    shown = quarters[: texts.LEDGER_SHOWN]
    sections = [
        Section(
            title=entry.quarter.label,
            fields=(
                Field(
                    texts.LEDGER_HYPOTHESES,
                    texts.ledger_hypotheses(
                        entry.validated, entry.invalidated, entry.inconclusive, entry.untested
                    ),
                ),
                Field(
                    texts.LEDGER_IMPACT,
                    texts.ledger_impact(entry.impact_with_evidence, entry.impact_without_evidence),
                ),
                Field(
                    texts.LEDGER_ADAPTATIONS,
                    texts.ledger_adaptations(
                        entry.adaptations_done, entry.adaptations_dropped, entry.adaptations_open
                    ),
                ),
                Field(
                    texts.LEDGER_CONCERNS,
                    texts.ledger_concerns(entry.concerns_raised, entry.concerns_answered),
                ),
            ),
        )
        for entry in shown
    ]
    if len(quarters) > len(shown):
        sections.append(Section(text=texts.ledger_older(len(quarters) - len(shown))))
    return private(texts.ledger_title(team), *sections)
