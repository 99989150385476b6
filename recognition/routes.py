"""What recognition answers: /shoutout, its form, a draft's buttons and reactions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import EventKind
from bot.ports import Command, CommandWord, HelpNote, Routes
from recognition import forms, handlers, texts
from recognition.forms import ShoutOutAction

SHOUTOUT = "shoutout"

ROUTES: Routes[AsyncSession] = Routes(
    words=(CommandWord(SHOUTOUT, texts.WORD),),
    commands=(
        Command(
            SHOUTOUT,
            "",
            handlers.shoutout,
            usage="<team or #channel> <what they did>",
            summary=texts.HELP_SHOUTOUT,
            section=texts.SECTION,
            menu=texts.MENU,
        ),
    ),
    notes=(
        HelpNote(texts.SECTION, texts.HELP_SEVERAL),
        HelpNote(texts.SECTION, texts.HELP_PRIVATE),
        HelpNote(texts.SECTION, texts.HELP_FORM),
    ),
    forms={forms.SHOUT_OUT: handlers.form},
    actions={
        ShoutOutAction.POST_ANYWAY: handlers.post_anyway,
        ShoutOutAction.DISCARD: handlers.discard,
        ShoutOutAction.OPEN_FORM: handlers.open_form,
    },
    events={EventKind.REACTION: handlers.reaction},
)
