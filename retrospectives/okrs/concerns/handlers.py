"""Chat commands, forms and buttons of the concern loop."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import RouteBook
from bot.replies import Audience, Button, Delivery, Outcome, Reply, Section, private
from retrospectives import schedules
from retrospectives import texts as retro_texts
from retrospectives.errors import InvalidInput
from retrospectives.okrs import service as okrs
from retrospectives.okrs.concerns import commands, forms, service, texts, views
from retrospectives.okrs.concerns.commands import ConcernDraft
from retrospectives.okrs.concerns.forms import ConcernAction
from storage import concerns, core
from storage.core import Team
from storage.okr import AnonymousConcern, ConcernDecision

routes = RouteBook[AsyncSession]()
routes.note(retro_texts.SECTION_TEAMS, texts.HELP_LOOKUP)


@routes.command(
    retro_texts.OKR,
    "concern",
    usage=(
        "<metric>: <harm you see> [| drives: <behaviour it rewards>] [| harms: <who>] "
        "[| instead: <a better measure>] [anonymous] [team]"
    ),
    summary=texts.HELP_CONCERN,
    section=retro_texts.SECTION_TEAMS,
    menu=retro_texts.MENU_CONCERN,
    hint="<metric>: <harm>",
)
async def raise_concern(session: AsyncSession, turn: Turn, body: str) -> Outcome:
    """Handle ``/okr concern ...``: raise one, add to one, or look one up by reference."""
    if not body:  # how to type it, and the form with the same fields
        button = Button(texts.OPEN_FORM_BUTTON, ConcernAction.OPEN_FORM)
        return private(retro_texts.CONCERN_USAGE, buttons=(button,))
    first, _, rest = body.partition(" ")
    reference = commands.parse_reference(first)
    if reference is not None and rest.strip().startswith("|"):
        return await _add_parts(session, turn, reference, rest)
    if reference is not None:
        return await _look_up(session, turn, reference, rest.strip())
    draft = commands.parse_concern(body)
    return await _save(session, turn, draft, ask=draft.vague)


@routes.action(ConcernAction.OPEN_FORM)
async def open_form(session: AsyncSession, turn: Turn) -> Outcome:
    shown = forms.concern(turn.channel_id)
    return Outcome(replies=(Reply(shown.title, form=shown),))


@routes.form(forms.CONCERN)
async def form(session: AsyncSession, turn: Turn) -> Outcome:
    """A concern raised through the form: the same fields as the command."""
    event = turn.event
    values = {k: v.strip() for k, v in event.form_values.items() if v and v.strip()}
    missing = {name: texts.LABEL_HARM for name in ("metric", "harm") if name not in values}
    if missing:
        raise InvalidInput(texts.USAGE, form_errors=missing)
    draft = commands.check(
        ConcernDraft(
            metric=values["metric"],
            harm=values["harm"],
            drives=values.get("drives"),
            harms=values.get("harms"),
            instead=values.get("instead"),
            anonymous=values.get("anonymous", "yes") != "no",
            team_visible=values.get("visible") == "team",
        )
    )
    if event.form_context:
        turn = replace(turn, event=replace(event, channel_id=event.form_context))
    return await _save(session, turn, draft)


@routes.command(
    retro_texts.OKR,
    "concern voice",
    usage="<ref> [anonymous]",
    summary=texts.HELP_VOICE,
    section=retro_texts.SECTION_TEAMS,
)
async def voice(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr concern voice <ref> [anonymous]``."""
    reference, anonymous = commands.parse_voice(args)
    return await _voice(session, turn, await _team(session, turn), reference, anonymous)


@routes.action(ConcernAction.VOICE)
async def voice_named(session: AsyncSession, turn: Turn) -> Outcome:
    return await _voice_button(session, turn, anonymous=False)


@routes.action(ConcernAction.VOICE_ANONYMOUSLY)
async def voice_anonymously(session: AsyncSession, turn: Turn) -> Outcome:
    return await _voice_button(session, turn, anonymous=True)


@routes.command(
    retro_texts.OKR,
    "concern answer",
    usage="<ref> [kept|changed|replaced] <what the team decided>",
    summary=texts.HELP_ANSWER,
    section=retro_texts.SECTION_TEAMS,
    leads=True,
)
async def answer(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr concern answer <ref> [kept|changed|replaced] <what the team decided>``."""
    reference, decision, text = commands.parse_answer(args)
    return await _answer(session, turn, await _team(session, turn), reference, decision, text)


@routes.action(ConcernAction.ANSWER)
async def open_answer_form(session: AsyncSession, turn: Turn) -> Outcome:
    """ "Answer this concern": the form, for a lead of the concern's team."""
    team, reference = await _from_context(session, turn, turn.event.action_value)
    okrs.require_lead(team, turn.user_id)
    await service.find(session, team=team, reference=reference)
    shown = forms.answer(team.id, reference)
    return Outcome(replies=(Reply(shown.title, form=shown),))


@routes.form(forms.ANSWER)
async def answer_form(session: AsyncSession, turn: Turn) -> Outcome:
    values = {k: v.strip() for k, v in turn.event.form_values.items() if v and v.strip()}
    if "answer" not in values:
        raise InvalidInput(texts.ANSWER_USAGE, form_errors={"answer": texts.LABEL_ANSWER})
    team, reference = await _from_context(session, turn, turn.event.form_context)
    word = values.get("decision", "")
    decision = ConcernDecision(word) if word in set(ConcernDecision) else None
    return await _answer(session, turn, team, reference, decision, values["answer"])


async def _save(
    session: AsyncSession, turn: Turn, draft: ConcernDraft, *, ask: bool = False
) -> Outcome:
    """Keep the concern; with ``ask``, add the one helping question a vague one gets."""
    team = await _team(session, turn)
    concern = await service.raise_concern(
        session, team=team, author_id=turn.user_id, draft=draft, now=turn.now
    )
    question = (Section(text=texts.helping_question(concern.code)),) if ask else ()
    if isinstance(concern, AnonymousConcern):  # no message now: the morning notice tells
        label = schedules.local_label(service.arrives(concern, team), team.timezone)
        said = texts.saved_anonymously(team.name, concern.code, label, draft.team_visible)
        return private(said, *question)
    key = f"concern:{team.id}:{concern.code}"
    deliveries = [
        Delivery(
            Audience.PERSON, lead.user_id, views.for_leads(team, concern), f"{key}:{lead.user_id}"
        )
        for lead in team.leads
    ]
    if concern.team_visible:
        deliveries.append(
            Delivery(
                Audience.CHANNEL, team.channel_id, views.for_channel(team, concern), f"{key}:team"
            )
        )
    saved = private(texts.saved(team.name, concern.code, concern.team_visible), *question)
    return saved + Outcome(deliveries=tuple(deliveries))


async def _add_parts(session: AsyncSession, turn: Turn, reference: int, args: str) -> Outcome:
    """``/okr concern C7 | drives: ..``: the raiser answers the helping question afterwards."""
    parts = commands.parse_parts(args)
    team = await _team(session, turn)
    concern = await service.add_parts(
        session, team=team, reference=reference, user_id=turn.user_id, parts=parts
    )
    return private(texts.parts_added(concern.code))


async def _voice_button(session: AsyncSession, turn: Turn, *, anonymous: bool) -> Outcome:
    reference = commands.parse_reference(f"C{turn.event.action_value}")
    if reference is None:
        raise InvalidInput(texts.REFERENCE_USAGE)
    return await _voice(session, turn, await _team(session, turn), reference, anonymous)


async def _voice(
    session: AsyncSession, turn: Turn, team: Team, reference: int, anonymous: bool
) -> Outcome:
    concern = await service.add_voice(
        session, team=team, reference=reference, user_id=turn.user_id, anonymous=anonymous
    )
    return private(texts.voice_added(concern.code, concern.voices_named, concern.voices_anonymous))


async def _answer(
    session: AsyncSession,
    turn: Turn,
    team: Team,
    reference: int,
    decision: ConcernDecision | None,
    text: str,
) -> Outcome:
    concern = await service.answer(
        session,
        team=team,
        reference=reference,
        lead_id=turn.user_id,
        decision=decision,
        text=text,
        now=turn.now,
    )
    post = Delivery(
        Audience.CHANNEL,
        team.channel_id,
        views.answered(team, concern),
        key=f"concern:{team.id}:{concern.code}:answer",
    )
    return private(texts.answer_saved(concern.code)) + Outcome(deliveries=(post,))


async def _look_up(session: AsyncSession, turn: Turn, reference: int, team_name: str) -> Outcome:
    team = await _team(session, turn, team_name or None)
    concern = await service.find(session, team=team, reference=reference, told=False)
    whole = team.is_lead(turn.user_id) or service.shown_to_team(concern)
    if isinstance(concern, AnonymousConcern) and concern.told_at is None:
        whole = False  # not even its leads have it yet
    reply = views.looked_up(
        concern, whole=whole, today=turn.now.date(), raised=concerns.raised_on(concern)
    )
    return Outcome(replies=(reply,))


async def _team(session: AsyncSession, turn: Turn, name: str | None = None) -> Team:
    return await okrs.find_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        user_id=turn.user_id,
        name=name,
    )


async def _from_context(session: AsyncSession, turn: Turn, value: str) -> tuple[Team, int]:
    """Read ``<team id>:<reference>``, the team found only inside this workspace."""
    team_part, _, reference_part = value.partition(":")
    team = None
    if team_part.isdigit() and reference_part.isdigit():
        team = await core.team_by_id(
            session, workspace_id=turn.workspace_id, team_id=int(team_part)
        )
    if team is None:
        raise InvalidInput(texts.REFERENCE_USAGE)
    return team, int(reference_part)
