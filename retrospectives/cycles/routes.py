"""What retrospectives answer: /retro commands, the answer form and its button, answers in chat."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import Command, CommandWord, Routes
from retrospectives.cycles import forms, handlers, texts
from retrospectives.cycles.forms import RetroAction

RETRO = "retro"

ROUTES: Routes[AsyncSession] = Routes(
    words=(CommandWord(RETRO, texts.RETRO_WORD, texts.UNKNOWN_RETRO),),
    commands=(
        Command(
            RETRO,
            "schedule",
            handlers.set_schedule,
            usage="quarterly | off | <cron>",
            summary=texts.HELP_SCHEDULE,
            section=texts.SECTION_RETRO,
            leads=True,
        ),
        Command(
            RETRO,
            "start",
            handlers.start,
            summary=texts.HELP_START,
            section=texts.SECTION_RETRO,
            leads=True,
            menu=texts.MENU_START,
        ),
        Command(
            RETRO,
            "status",
            handlers.status,
            summary=texts.HELP_STATUS,
            section=texts.SECTION_RETRO,
            menu=texts.MENU_STATUS,
        ),
        Command(
            RETRO,
            "close",
            handlers.close,
            summary=texts.HELP_CLOSE,
            section=texts.SECTION_RETRO,
            leads=True,
        ),
        Command(
            RETRO,
            "questions",
            handlers.list_questions,
            summary=texts.HELP_QUESTIONS,
            section=texts.SECTION_RETRO,
        ),
        Command(RETRO, "questions set", handlers.set_question, usage="<key> <text>"),
        Command(RETRO, "questions reset", handlers.reset_questions, usage="[key]"),
        Command(
            RETRO,
            "anonymity",
            handlers.anonymity,
            usage="<number>",
            summary=texts.HELP_ANONYMITY,
            section=texts.SECTION_RETRO,
            leads=True,
        ),
    ),
    forms={forms.ANSWERS: handlers.form},
    actions={RetroAction.ANSWER_FORM: handlers.open_answers_form},
    conversations=(handlers.conversation,),
)
