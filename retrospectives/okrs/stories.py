"""Learning and customer-impact stories, each built in one place however it was told.

A command, a form, a saved message, a retrospective's answers and a late answer all tell
stories; the rows they keep differ only in what the teller gave.
"""

from __future__ import annotations

from datetime import datetime

from retrospectives.okrs.commands import StoryDraft
from storage.okr import ImpactStory, LearningStory, StorySource


def learning_story(
    *,
    workspace_id: int,
    team_id: int,
    author_id: str | None,
    draft: StoryDraft,
    source: StorySource,
    now: datetime,
    key_result_id: int | None = None,
    awaiting_outcome: bool = False,
) -> LearningStory:
    """A new learning story from what its teller gave."""
    return LearningStory(
        workspace_id=workspace_id,
        team_id=team_id,
        author_id=author_id,
        text=draft.text,
        hypothesis=draft.get("hypothesis"),
        tried=draft.get("tried"),
        evidence=draft.get("evidence"),
        learned=draft.get("learned"),
        result=draft.result,
        adaptation=draft.get("adaptation"),
        key_result_id=key_result_id,
        source=source,
        awaiting_outcome=awaiting_outcome,
        created_at=now,
    )


def impact_story(
    *,
    workspace_id: int,
    team_id: int,
    author_id: str | None,
    draft: StoryDraft,
    source: StorySource,
    now: datetime,
    key_result_id: int | None = None,
) -> ImpactStory:
    """A new customer-impact story from what its teller gave."""
    return ImpactStory(
        workspace_id=workspace_id,
        team_id=team_id,
        author_id=author_id,
        text=draft.text,
        who=draft.get("who"),
        before=draft.get("before"),
        after=draft.get("after"),
        evidence=draft.get("evidence"),
        key_result_id=key_result_id,
        source=source,
        created_at=now,
    )
