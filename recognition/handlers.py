"""Chat commands, the form, buttons and reactions of the recognition domain."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import EventKind, Turn
from bot.ports import RouteBook
from bot.replies import Button, ButtonStyle, Outcome, Reply, Section, private
from recognition import commands, forms, guard, service, texts, views
from recognition.commands import ShoutOutRequest
from recognition.errors import DraftGone, ShoutOutRefused
from recognition.forms import ShoutOutAction

routes = RouteBook[AsyncSession]()
SHOUTOUT = routes.word("shoutout", texts.WORD)
routes.note(texts.SECTION, texts.HELP_SEVERAL)
routes.note(texts.SECTION, texts.HELP_PRIVATE)
routes.note(texts.SECTION, texts.HELP_FORM)


@routes.command(
    SHOUTOUT,
    "",
    usage="<team or #channel> <what they did>",
    summary=texts.HELP_SHOUTOUT,
    section=texts.SECTION,
    menu=texts.MENU,
)
async def shoutout(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/shoutout <team or #channel> <what they did>``; alone, open the form."""
    if not args.strip():
        return await open_form(session, turn)
    names = await service.team_names(session, workspace_id=turn.workspace_id)
    request = commands.parse_command(args, names)
    return await _give(session, turn, request, channel_id=turn.channel_id)


@routes.form(forms.SHOUT_OUT)
async def form(session: AsyncSession, turn: Turn) -> Outcome:
    """Give the shout-out submitted through the form; problems show next to their input."""
    channel_id = turn.event.form_context or turn.channel_id
    try:
        names = await service.team_names(session, workspace_id=turn.workspace_id)
        request = commands.parse_form(turn.event.form_values, names)
        return await _give(
            session, turn, request, channel_id=channel_id, input_name=commands.TEAMS_INPUT
        )
    except ShoutOutRefused as refusal:
        raise refusal.in_form() from None


@routes.action(ShoutOutAction.OPEN_FORM)
async def open_form(session: AsyncSession, turn: Turn) -> Outcome:
    """Open the shout-out form ("Give another team a shout-out" at home)."""
    shown = forms.shout_out(turn.channel_id)
    return Outcome(replies=(Reply(shown.title, form=shown),))


@routes.action(ShoutOutAction.DISCARD)
async def discard(session: AsyncSession, turn: Turn) -> Outcome:
    """Discard a held-back draft."""
    await service.discard_draft(
        session, workspace_id=turn.workspace_id, giver_id=turn.user_id, shout_out_id=_draft(turn)
    )
    return private(texts.DRAFT_DISCARDED)


@routes.action(ShoutOutAction.POST_ANYWAY)
async def post_anyway(session: AsyncSession, turn: Turn) -> Outcome:
    """Post a held-back draft as written."""
    result = await service.post_draft(
        session,
        workspace_id=turn.workspace_id,
        giver_id=turn.user_id,
        shout_out_id=_draft(turn),
        now=turn.now,
    )
    if result is None:
        return private(texts.ALREADY_POSTED)
    shout_out, teams = result
    return service.announced(
        session, shout_out=shout_out, outcome=views.posted(shout_out, teams, _giver(turn))
    )


@routes.event(EventKind.REACTION)
async def reaction(session: AsyncSession, turn: Turn) -> Outcome:
    """Co-sign the shout-out a reaction was added to; any other reaction changes nothing."""
    await service.co_sign(
        session,
        workspace_id=turn.workspace_id,
        message_id=turn.event.target_message_id,
        user_id=turn.user_id,
        now=turn.now,
    )
    return Outcome()  # a co-sign is quiet: answering every reaction would be noise


async def _give(
    session: AsyncSession,
    turn: Turn,
    request: ShoutOutRequest,
    *,
    channel_id: str,
    input_name: str = "",
) -> Outcome:
    phrases = guard.attainment_phrases(request.text)
    shout_out, teams = await service.give(
        session,
        workspace_id=turn.workspace_id,
        giver_id=turn.user_id,
        channel_id=channel_id,
        request=request,
        hold=bool(phrases),
        now=turn.now,
        input_name=input_name,
    )
    if not phrases:
        return service.announced(
            session, shout_out=shout_out, outcome=views.posted(shout_out, teams, _giver(turn))
        )
    draft = str(shout_out.id)
    return private(
        texts.nudge(phrases[0]),
        Section(text=texts.NUDGE_HINT),
        buttons=(
            Button(texts.POST_ANYWAY, ShoutOutAction.POST_ANYWAY, draft, ButtonStyle.PRIMARY),
            Button(texts.DISCARD, ShoutOutAction.DISCARD, draft),
        ),
    )


def _draft(turn: Turn) -> int:
    """The draft a button stands for."""
    value = turn.event.action_value
    if not value.isdigit():
        raise DraftGone(texts.DRAFT_GONE)
    return int(value)


def _giver(turn: Turn) -> str:
    return turn.event.user_name or turn.user_id
