"""Chat commands, forms, buttons and shortcuts of the retrospectives domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import EventKind, Turn
from bot.ports import RouteBook
from bot.replies import (
    Button,
    Form,
    Outcome,
    Reply,
    Section,
    private,
)
from retrospectives import texts
from retrospectives.errors import InvalidInput
from retrospectives.okrs import coach, commands, forms, guardrails, service
from retrospectives.okrs.commands import IMPACT_LABELS, LEARNING_LABELS, StoryDraft
from retrospectives.okrs.forms import StoryAction
from storage import core, okr
from storage.core import Team
from storage.okr import StorySource

routes = RouteBook[AsyncSession]()
routes.word(texts.STORY, texts.STORY_WORD, texts.UNKNOWN_STORY)
routes.note(texts.SECTION_STORIES, texts.HELP_STORY_FORMS)


@routes.command(
    texts.STORY,
    "learning",
    usage="<what happened>",
    summary=texts.HELP_LEARNING,
    section=texts.SECTION_STORIES,
    menu=texts.MENU_LEARNING,
    hint="<text>",
)
async def tell_learning(session: AsyncSession, turn: Turn, text: str) -> Outcome:
    """Handle ``/story learning [text]``; alone, open the form."""
    if not text:
        return _form_reply(forms.learning(turn.channel_id))
    draft = commands.parse_story(text, LEARNING_LABELS)
    return await _save_learning(session, turn, draft, StorySource.COMMAND)


@routes.command(
    texts.STORY,
    "impact",
    usage="<what changed>",
    summary=texts.HELP_IMPACT,
    section=texts.SECTION_STORIES,
    menu=texts.MENU_IMPACT,
    hint="<text>",
)
async def tell_impact(session: AsyncSession, turn: Turn, text: str) -> Outcome:
    """Handle ``/story impact [text]``; alone, open the form."""
    if not text:
        return _form_reply(forms.impact(turn.channel_id))
    draft = commands.parse_story(text, IMPACT_LABELS)
    return await _save_impact(session, turn, draft, StorySource.COMMAND)


@routes.command(
    texts.STORY,
    "outcome",
    usage="<what customers do differently now>",
    summary=texts.HELP_OUTCOME,
    section=texts.SECTION_STORIES,
)
async def tell_outcome(session: AsyncSession, turn: Turn, text: str) -> Outcome:
    """Handle ``/story outcome <text>``: the outcome of the person's last output-only story."""
    return await _add_outcome(session, turn, text)


@routes.form(forms.LEARNING, forms.IMPACT, forms.OUTCOME)
async def form(session: AsyncSession, turn: Turn) -> Outcome:
    """Save a story submitted through its form."""
    event = turn.event
    values = {k: v.strip() for k, v in event.form_values.items() if v and v.strip()}
    channel_turn = turn if not event.form_context else _in_channel(turn, event.form_context)
    if event.form_id == forms.OUTCOME:
        return await _add_outcome(session, channel_turn, values.get("outcome", ""))
    required = ("hypothesis", "learned") if event.form_id == forms.LEARNING else ("who", "after")
    missing = {name: texts.FILL_THIS_IN for name in required if name not in values}
    if missing:
        raise InvalidInput(texts.PARTS_MISSING, form_errors=missing)
    too_long = {
        name: texts.part_too_long(commands.MAX_FIELD)
        for name, value in values.items()
        if len(value) > commands.MAX_FIELD
    }
    if too_long:
        raise InvalidInput(texts.PART_TOO_LONG, form_errors=too_long)
    draft = commands.story_draft(_story_text(values), values)
    if event.form_id == forms.LEARNING:
        return await _save_learning(session, channel_turn, draft, StorySource.FORM)
    return await _save_impact(session, channel_turn, draft, StorySource.FORM)


@routes.action(StoryAction.ADD_OUTCOME)
async def open_outcome_form(session: AsyncSession, turn: Turn) -> Outcome:
    """Open the form behind "Add what changed"."""
    return _form_reply(forms.outcome(turn.channel_id))


@routes.action(StoryAction.OPEN_LEARNING)
async def open_learning_form(session: AsyncSession, turn: Turn) -> Outcome:
    """Open the learning story form ("Tell a learning story" at home)."""
    return _form_reply(forms.learning(turn.channel_id))


@routes.action(StoryAction.OPEN_IMPACT)
async def open_impact_form(session: AsyncSession, turn: Turn) -> Outcome:
    """Open the customer-impact story form ("Tell a customer-impact story" at home)."""
    return _form_reply(forms.impact(turn.channel_id))


@routes.event(EventKind.SHORTCUT)
async def shortcut(session: AsyncSession, turn: Turn) -> Outcome:
    """Save the message a person picked ("Save as learning story") as a learning story."""
    text = turn.event.target_text.strip()
    if not text:
        raise InvalidInput(texts.SHORTCUT_EMPTY)
    if len(text) > commands.MAX_FIELD:
        raise InvalidInput(texts.story_too_long(len(text), commands.MAX_FIELD))
    team = await _team(session, turn)
    await service.record_learning_story(
        session,
        team=team,
        author_id=turn.user_id,
        draft=StoryDraft(text=text, fields={}),
        source=StorySource.SHORTCUT,
        awaiting_outcome=False,
        now=turn.now,
    )
    return private(texts.story_saved_from_message(team.name))


async def _save_learning(
    session: AsyncSession, turn: Turn, draft: StoryDraft, source: StorySource
) -> Outcome:
    team = await _team(session, turn, draft.get("team"), leads=False)  # a story needs none
    output_only = not any(
        draft.get(f) for f in ("learned", "evidence", "hypothesis")
    ) and coach.only_output(draft.text)
    story_row = await service.record_learning_story(
        session,
        team=team,
        author_id=turn.user_id,
        draft=draft,
        source=source,
        awaiting_outcome=output_only,
        now=turn.now,
    )
    if output_only:
        return private(
            texts.output_story_saved(team.name),
            Section(text=texts.FOLLOW_UP_OUTCOME),
            buttons=(Button(texts.ADD_OUTCOME_BUTTON, forms.StoryAction.ADD_OUTCOME),),
        )
    invalidated = story_row.result is okr.StoryResult.INVALIDATED
    return private(
        texts.learning_saved(team.name, invalidated), *await _cited(session, turn, team, draft)
    )


async def _save_impact(
    session: AsyncSession, turn: Turn, draft: StoryDraft, source: StorySource
) -> Outcome:
    team = await _team(session, turn, draft.get("team"), leads=False)  # a story needs none
    await service.record_impact_story(
        session, team=team, author_id=turn.user_id, draft=draft, source=source, now=turn.now
    )
    saved = texts.impact_saved(team.name)
    cited = await _cited(session, turn, team, draft)
    if not draft.get("after") and coach.only_output(draft.text):
        return private(saved, *cited, Section(text=texts.FOLLOW_UP_IMPACT))
    return private(saved, *cited)


async def _cited(
    session: AsyncSession, turn: Turn, team: Team, draft: StoryDraft
) -> tuple[Section, ...]:
    """The key result a story cites, shown with its guardrail beside it."""
    key_result = await service.cited_key_result(session, team=team, cited=draft.cited)
    if key_result is None:
        return ()
    for_leads = await core.is_lead(session, team_id=team.id, user_id=turn.user_id)
    return (Section(text=guardrails.cited(key_result, for_leads=for_leads)),)


async def _add_outcome(session: AsyncSession, turn: Turn, text: str) -> Outcome:
    story_row = await service.add_outcome(
        session, workspace_id=turn.workspace_id, author_id=turn.user_id, outcome=text
    )
    team = await core.team_by_id(session, workspace_id=turn.workspace_id, team_id=story_row.team_id)
    return private(texts.outcome_added(team.name if team else "your team"))


async def _team(
    session: AsyncSession, turn: Turn, name: str | None = None, *, leads: bool = True
) -> Team:
    return await service.find_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        user_id=turn.user_id,
        name=name,
        leads=leads,
    )


def _form_reply(shown: Form) -> Outcome:
    return Outcome(replies=(Reply(shown.title, form=shown),))


def _in_channel(turn: Turn, channel_id: str) -> Turn:
    return replace(turn, event=replace(turn.event, channel_id=channel_id))


def _story_text(values: Mapping[str, str]) -> str:
    return " | ".join(f"{name}: {value}" for name, value in values.items())
