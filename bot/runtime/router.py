"""Turn an event into a call on the domain that owns it, by the merged route table."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

import recognition.forms
import recognition.handlers
import recognition.texts
import retrospectives.adaptations.handlers
import retrospectives.cycles.handlers
import retrospectives.home
import retrospectives.learning.handlers
import retrospectives.okrs.concerns.handlers
import retrospectives.okrs.handlers
import retrospectives.okrs.keyresults
import retrospectives.okrs.teams
import retrospectives.texts
from bot.events import EventKind, Turn
from bot.ports import RouteBook
from bot.replies import Button, Outcome, Refusal, private
from bot.runtime import digest, routes, texts
from storage import members

log = logging.getLogger(__name__)

MAX_EVENT_TEXT = 4000
OKR = retrospectives.texts.OKR
HELP = RouteBook[AsyncSession]()
DIGEST = RouteBook[AsyncSession]()


@HELP.command(OKR, "help", menu=texts.MENU_HELP)
async def help_command(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr help`` (and a bare ``/okr``): every command, by section."""
    return help_reply()


@DIGEST.command(
    OKR, "digest", summary=texts.HELP_DIGEST, section=texts.SECTION_LEADS, menu=texts.MENU_DIGEST
)
async def digest_command(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/okr digest``: this week's digest for a lead, now."""
    return await digest.preview(session, turn)


# Each handler module declares its routes on its handlers; here they are merged, in the order
# /okr help shows their sections and the platforms' menus list their commands.
TABLE = routes.merge(
    HELP.table(),
    retrospectives.okrs.teams.routes.table(),
    retrospectives.okrs.keyresults.routes.table(),
    retrospectives.okrs.concerns.handlers.routes.table(),
    retrospectives.okrs.handlers.routes.table(),
    retrospectives.learning.handlers.routes.table(),
    retrospectives.cycles.handlers.routes.table(),
    retrospectives.adaptations.handlers.routes.table(),
    recognition.handlers.routes.table(),
    DIGEST.table(),
)
COMMAND_WORDS = routes.command_words(TABLE)


async def route(session: AsyncSession, turn: Turn) -> Outcome:
    """Answer one event. Unknown input gets a private hint, never an error."""
    event = turn.event
    match event.kind:
        case EventKind.COMMAND | EventKind.MESSAGE:
            return await _route_text(session, turn)
        case EventKind.FORM_SUBMISSION:
            form = TABLE.forms.get(event.form_id)
            if form is None:
                raise Refusal(texts.FORM_EXPIRED)
            return await form(session, turn)
        case EventKind.BUTTON:
            action = TABLE.actions.get(event.action_id)
            return Outcome() if action is None else await action(session, turn)
        case EventKind.HOME_OPENED:
            shout_out = Button(
                recognition.texts.HOME_GIVE, recognition.forms.ShoutOutAction.OPEN_FORM
            )
            return await retrospectives.home.home(session, turn, shout_out_button=shout_out)
    handler = TABLE.events.get(event.kind)
    return Outcome() if handler is None else await handler(session, turn)


async def _route_text(session: AsyncSession, turn: Turn) -> Outcome:
    event = turn.event
    addressed = event.kind is EventKind.COMMAND or event.is_direct or event.mentions_bot
    if not event.is_direct:
        await members.note_member(
            session,
            workspace_id=turn.workspace_id,
            channel_id=event.channel_id,
            user_id=event.user_id,
            now=turn.now,
        )
    if not addressed:
        return Outcome()  # people talking among themselves in a channel
    if len(event.text) > MAX_EVENT_TEXT:
        raise Refusal(texts.too_long(len(event.text), MAX_EVENT_TEXT))
    said = routes.split_command(TABLE, event.text)
    if said is None:
        if not event.text.strip():
            return help_reply()
        if event.is_direct:
            for conversation in TABLE.conversations:
                answered = await conversation(session, turn)
                if answered is not None:
                    return answered
        raise Refusal(texts.not_a_command(COMMAND_WORDS))
    word, args = said
    command, rest = routes.find_command(TABLE, word, args)
    return await command.handler(session, turn, rest)


def help_reply() -> Outcome:
    """Every command of the table, in its section, as ``/okr help`` shows them."""
    return private(texts.HELP_TITLE, *routes.help_sections(TABLE))
