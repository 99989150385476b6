"""Turn an event into a call on the domain that owns it."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

import recognition.handlers
import recognition.texts
import retrospectives.cycles.handlers
import retrospectives.home
import retrospectives.okrs.handlers
import retrospectives.texts
from bot.events import EventKind, Turn
from bot.replies import Button, Outcome, Refusal, Section, private
from bot.runtime import digest
from storage import core

log = logging.getLogger(__name__)

MAX_EVENT_TEXT = 4000
COMMAND_WORDS = ("okr", "story", "retro", "shoutout")


def split_command(text: str) -> tuple[str, str] | None:
    """Split ``/story learning ...`` into ("story", "learning ..."); None if not a command."""
    stripped = text.strip()
    if stripped.startswith("/"):
        stripped = stripped[1:]
    word, _, rest = stripped.partition(" ")
    word = word.casefold()
    if word not in COMMAND_WORDS:
        return None
    return word, rest.strip()


async def route(session: AsyncSession, turn: Turn) -> Outcome:
    """Answer one event. Unknown input gets a private hint, never an error."""
    event = turn.event
    match event.kind:
        case EventKind.COMMAND | EventKind.MESSAGE:
            return await _route_text(session, turn)
        case EventKind.FORM_SUBMISSION:
            if event.form_id in retrospectives.okrs.handlers.FORM_IDS:
                return await retrospectives.okrs.handlers.form(session, turn)
            if event.form_id == retrospectives.cycles.handlers.FORM_ID:
                return await retrospectives.cycles.handlers.form(session, turn)
            if event.form_id in recognition.handlers.FORM_IDS:
                return await recognition.handlers.form(session, turn)
            raise Refusal("That form has expired. Please open it again.")
        case EventKind.BUTTON:
            if event.action_id.startswith(retrospectives.okrs.handlers.ACTION_PREFIX):
                return await retrospectives.okrs.handlers.button(session, turn)
            if event.action_id.startswith(retrospectives.cycles.handlers.ACTION_PREFIX):
                return await retrospectives.cycles.handlers.button(session, turn)
            if event.action_id.startswith(recognition.handlers.ACTION_PREFIX):
                return await recognition.handlers.button(session, turn)
            return Outcome()
        case EventKind.SHORTCUT:
            return await retrospectives.okrs.handlers.shortcut(session, turn)
        case EventKind.REACTION:
            return await recognition.handlers.reaction(session, turn)
        case EventKind.HOME_OPENED:
            shout_out = Button(recognition.texts.HOME_GIVE, recognition.handlers.OPEN_FORM)
            return await retrospectives.home.home(session, turn, shout_out_button=shout_out)
        case _:
            return Outcome()


async def _route_text(session: AsyncSession, turn: Turn) -> Outcome:
    event = turn.event
    addressed = event.kind is EventKind.COMMAND or event.is_direct or event.mentions_bot
    if not event.is_direct:
        await core.note_member(
            session,
            workspace_id=turn.workspace_id,
            channel_id=event.channel_id,
            user_id=event.user_id,
            now=turn.now,
        )
    if not addressed:
        return Outcome()  # people talking among themselves in a channel
    if len(event.text) > MAX_EVENT_TEXT:
        raise Refusal(
            f"That message is {len(event.text):,} characters long; I keep up to "
            f"{MAX_EVENT_TEXT:,}. Please shorten it, or split it into two stories."
        )
    command = split_command(event.text)
    if command is None:
        if not event.text.strip():
            return help_reply()
        if event.is_direct:
            answered = await retrospectives.cycles.handlers.conversation(session, turn)
            if answered is not None:
                return answered
        raise Refusal(
            "I didn't recognise that. Commands start with /okr, /story, /retro or /shoutout; "
            "type /okr help to see them all."
        )
    word, args = command
    if word == "okr":
        sub = args.split(maxsplit=1)[0].casefold() if args else "help"
        if sub == "help":
            return help_reply()
        if sub == "digest":
            return await digest.preview(session, turn)
        return await retrospectives.okrs.handlers.okr_command(session, turn, args)
    if word == "story":
        return await retrospectives.okrs.handlers.story(session, turn, args)
    if word == "retro":
        return await retrospectives.cycles.handlers.retro_command(session, turn, args)
    return await recognition.handlers.shoutout(session, turn, args)


def help_reply() -> Outcome:
    return private(
        "Here is what I can do.",
        Section(title="Teams and key results", text=retrospectives.texts.HELP_TEAMS),
        Section(title="Stories", text=retrospectives.texts.HELP_STORIES),
        Section(title="Retrospectives", text=retrospectives.texts.HELP_RETRO),
        Section(title="Shout-outs", text=recognition.texts.HELP),
        Section(title="For leads", text=retrospectives.texts.HELP_LEADS),
    )
