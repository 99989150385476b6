"""Chat commands, forms, buttons and shortcuts of the retrospectives domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.replies import (
    Audience,
    Button,
    Delivery,
    Field,
    Form,
    Outcome,
    Reply,
    Section,
    Visibility,
    private,
)
from retrospectives import schedules, texts
from retrospectives.errors import InvalidInput
from retrospectives.okrs import coach, commands, forms, service
from retrospectives.okrs.commands import IMPACT_LABELS, LEARNING_LABELS, StoryDraft
from storage import core, okr
from storage.core import Team
from storage.okr import StorySource

FORM_IDS = frozenset({forms.LEARNING, forms.IMPACT, forms.OUTCOME})
ACTION_PREFIX = "story."
ADD_OUTCOME = "story.add_outcome"
OPEN_LEARNING = "story.open_learning"
OPEN_IMPACT = "story.open_impact"


async def okr_command(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr team ...``, ``/okr kr ...`` and ``/okr concern ...``."""
    word, _, rest = args.partition(" ")
    match word.casefold(), rest.strip():
        case "team", sub if sub.casefold().startswith("create"):
            return await _create_team(session, turn, sub[len("create") :].strip())
        case "team", sub if sub.casefold().startswith("lead"):
            return await _add_lead(session, turn, sub[len("lead") :].strip())
        case "team", sub if sub.casefold() == "claim":
            return await _claim_team(session, turn)
        case "kr", sub if sub.casefold().startswith("add"):
            return await _add_key_result(session, turn, sub[len("add") :].strip())
        case "kr", "":
            return await _list_key_results(session, turn)
        case "concern", body:
            return await _raise_concern(session, turn, body)
    raise InvalidInput(texts.UNKNOWN_OKR)


async def story(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/story learning|impact|outcome [text]``."""
    kind, _, text = args.partition(" ")
    text = text.strip()
    match kind.casefold():
        case "learning":
            if not text:
                return _form_reply(forms.learning(turn.channel_id))
            draft = commands.parse_story(text, LEARNING_LABELS)
            return await _save_learning(session, turn, draft, StorySource.COMMAND)
        case "impact":
            if not text:
                return _form_reply(forms.impact(turn.channel_id))
            draft = commands.parse_story(text, IMPACT_LABELS)
            return await _save_impact(session, turn, draft, StorySource.COMMAND)
        case "outcome":
            return await _add_outcome(session, turn, text)
    raise InvalidInput(texts.UNKNOWN_STORY)


async def form(session: AsyncSession, turn: Turn) -> Outcome:
    """Save a story submitted through its form."""
    event = turn.event
    values = {k: v.strip() for k, v in event.form_values.items() if v and v.strip()}
    channel_turn = turn if not event.form_context else _in_channel(turn, event.form_context)
    if event.form_id == forms.OUTCOME:
        return await _add_outcome(session, channel_turn, values.get("outcome", ""))
    required = ("hypothesis", "learned") if event.form_id == forms.LEARNING else ("who", "after")
    missing = {name: "Please fill this in." for name in required if name not in values}
    if missing:
        raise InvalidInput("A few parts are missing.", form_errors=missing)
    too_long = {
        name: f"Please keep this under {commands.MAX_FIELD:,} characters."
        for name, value in values.items()
        if len(value) > commands.MAX_FIELD
    }
    if too_long:
        raise InvalidInput("A part is too long.", form_errors=too_long)
    draft = StoryDraft(text=_story_text(values), fields=values)
    if event.form_id == forms.LEARNING:
        return await _save_learning(session, channel_turn, draft, StorySource.FORM)
    return await _save_impact(session, channel_turn, draft, StorySource.FORM)


async def button(session: AsyncSession, turn: Turn) -> Outcome:
    """Open the form a button stands for ("Add what changed", "Tell a learning story", ...)."""
    match turn.event.action_id:
        case "story.add_outcome":
            return _form_reply(forms.outcome(turn.channel_id))
        case "story.open_learning":
            return _form_reply(forms.learning(turn.channel_id))
        case "story.open_impact":
            return _form_reply(forms.impact(turn.channel_id))
    return Outcome()


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


async def _create_team(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    if turn.event.is_direct:
        raise InvalidInput(texts.TEAM_CREATE_IN_CHANNEL)
    name, zone = commands.parse_team_create(args)
    team = await service.create_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        name=name,
        timezone=zone,
        creator_id=turn.user_id,
        now=turn.now,
    )
    return private(texts.team_created(team.name, team.timezone))


async def _add_lead(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    person = commands.parse_user(args) if args else None
    if person is None:
        raise InvalidInput(texts.LEAD_USAGE)
    team = await _channel_team(session, turn)
    added = await service.add_lead(
        session, team=team, user_id=person, added_by=turn.user_id, now=turn.now
    )
    if not added:
        return private(texts.lead_already(team.name, person))
    return private(texts.lead_added(team.name, person))


async def _claim_team(session: AsyncSession, turn: Turn) -> Outcome:
    team = await _channel_team(session, turn)
    await service.claim_team(session, team=team, user_id=turn.user_id, now=turn.now)
    return private(texts.team_claimed(team.name))


async def _add_key_result(session: AsyncSession, turn: Turn, text: str) -> Outcome:
    team = await _channel_team(session, turn)
    key_result = await service.add_key_result(
        session, team=team, text=text, added_by=turn.user_id, now=turn.now
    )
    return private(texts.kr_added(team.name, key_result.code, key_result.text))


async def _list_key_results(session: AsyncSession, turn: Turn) -> Outcome:
    team = await _team(session, turn)
    found = await okr.key_results(session, workspace_id=turn.workspace_id, team_id=team.id)
    if not found:
        return private(texts.kr_list_empty(team.name))
    return private(
        texts.kr_list_title(team.name),
        Section(fields=tuple(Field(k.code, k.text) for k in found)),
    )


async def _raise_concern(session: AsyncSession, turn: Turn, body: str) -> Outcome:
    metric, harm, anonymous = commands.parse_concern(body)
    team = await _team(session, turn)
    if anonymous:  # no message now: leads hear of it with the next morning's notice
        arrives = await service.raise_anonymous_concern(
            session, team=team, metric=metric, harm=harm, now=turn.now
        )
        label = schedules.local_label(arrives, team.timezone)
        return private(texts.anonymous_concern_saved(team.name, label))
    concern = await service.raise_concern(
        session, team=team, author_id=turn.user_id, metric=metric, harm=harm, now=turn.now
    )
    note = Reply(
        texts.concern_for_lead(team.name, metric, harm, turn.user_id),
        visibility=Visibility.CHANNEL,
    )
    deliveries = tuple(
        Delivery(Audience.PERSON, lead.user_id, note, key=f"concern:{concern.id}:{lead.user_id}")
        for lead in team.leads
    )
    return private(texts.concern_saved(team.name)) + Outcome(deliveries=deliveries)


async def _save_learning(
    session: AsyncSession, turn: Turn, draft: StoryDraft, source: StorySource
) -> Outcome:
    team = await _team(session, turn, draft.get("team"))
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
            buttons=(Button(texts.ADD_OUTCOME_BUTTON, ADD_OUTCOME),),
        )
    invalidated = story_row.result is okr.StoryResult.INVALIDATED
    return private(texts.learning_saved(team.name, invalidated))


async def _save_impact(
    session: AsyncSession, turn: Turn, draft: StoryDraft, source: StorySource
) -> Outcome:
    team = await _team(session, turn, draft.get("team"))
    await service.record_impact_story(
        session, team=team, author_id=turn.user_id, draft=draft, source=source, now=turn.now
    )
    saved = texts.impact_saved(team.name)
    if not draft.get("after") and coach.only_output(draft.text):
        return private(saved, Section(text=texts.FOLLOW_UP_IMPACT))
    return private(saved)


async def _add_outcome(session: AsyncSession, turn: Turn, text: str) -> Outcome:
    story_row = await service.add_outcome(
        session, workspace_id=turn.workspace_id, author_id=turn.user_id, outcome=text
    )
    team = await core.team_by_id(session, workspace_id=turn.workspace_id, team_id=story_row.team_id)
    return private(texts.outcome_added(team.name if team else "your team"))


async def _team(session: AsyncSession, turn: Turn, name: str | None = None) -> Team:
    return await service.find_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        user_id=turn.user_id,
        name=name,
    )


async def _channel_team(session: AsyncSession, turn: Turn) -> Team:
    """The team bound to this very channel (team administration happens in its channel)."""
    team = await core.team_by_channel(
        session, workspace_id=turn.workspace_id, channel_id=turn.channel_id
    )
    if team is None:
        raise InvalidInput(texts.NO_TEAM_HERE)
    return team


def _form_reply(shown: Form) -> Outcome:
    return Outcome(replies=(Reply(shown.title, form=shown),))


def _in_channel(turn: Turn, channel_id: str) -> Turn:
    return replace(turn, event=replace(turn.event, channel_id=channel_id))


def _story_text(values: Mapping[str, str]) -> str:
    return " | ".join(f"{name}: {value}" for name, value in values.items())
