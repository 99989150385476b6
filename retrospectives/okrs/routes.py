"""What the teams, key results, stories and concerns answer: commands, forms and buttons."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import EventKind
from bot.ports import Command, CommandWord, HelpNote, Routes
from retrospectives import texts
from retrospectives.okrs import forms, guardrails, handlers, keyresults
from retrospectives.okrs.concerns import forms as concern_forms
from retrospectives.okrs.concerns import handlers as concerns
from retrospectives.okrs.concerns import texts as concern_texts
from retrospectives.okrs.concerns.forms import ConcernAction
from retrospectives.okrs.forms import StoryAction

OKR = "okr"
STORY = "story"

ROUTES: Routes[AsyncSession] = Routes(
    words=(
        CommandWord(OKR, texts.OKR_WORD, texts.UNKNOWN_OKR, alone="help"),
        CommandWord(STORY, texts.STORY_WORD, texts.UNKNOWN_STORY),
    ),
    commands=(
        Command(
            OKR,
            "team create",
            handlers.create_team,
            usage="<name> [tz=Europe/Berlin]",
            summary=texts.HELP_TEAM_CREATE,
            section=texts.SECTION_TEAMS,
            menu=texts.MENU_TEAM_CREATE,
            hint="<name>",
        ),
        Command(
            OKR,
            "team lead",
            handlers.add_lead,
            usage="@person",
            summary=texts.HELP_TEAM_LEAD,
            section=texts.SECTION_TEAMS,
            leads=True,
        ),
        Command(
            OKR,
            "team claim",
            handlers.claim_team,
            summary=texts.HELP_TEAM_CLAIM,
            section=texts.SECTION_TEAMS,
        ),
        Command(
            OKR,
            "kr add",
            keyresults.add_key_result,
            usage="<key result> [| guardrail: <what must not get worse>]",
            summary=texts.HELP_KR_ADD,
            section=texts.SECTION_TEAMS,
            leads=True,
            menu=texts.MENU_KR_ADD,
            hint="<text>",
        ),
        Command(
            OKR,
            "kr guardrail",
            keyresults.set_guardrail,
            usage="KR<n> <what must not get worse>",
            summary=guardrails.HELP_KR_GUARDRAIL,
            section=texts.SECTION_TEAMS,
            leads=True,
        ),
        Command(
            OKR,
            "kr",
            keyresults.list_key_results,
            summary=texts.HELP_KR,
            section=texts.SECTION_TEAMS,
        ),
        Command(
            OKR,
            "concern",
            concerns.raise_concern,
            usage=(
                "<metric>: <harm you see> [| drives: <behaviour it rewards>] [| harms: <who>] "
                "[| instead: <a better measure>] [anonymous] [team]"
            ),
            summary=concern_texts.HELP_CONCERN,
            section=texts.SECTION_TEAMS,
            menu=texts.MENU_CONCERN,
            hint="<metric>: <harm>",
        ),
        Command(
            OKR,
            "concern voice",
            concerns.voice,
            usage="<ref> [anonymous]",
            summary=concern_texts.HELP_VOICE,
            section=texts.SECTION_TEAMS,
        ),
        Command(
            OKR,
            "concern answer",
            concerns.answer,
            usage="<ref> [kept|changed|replaced] <what the team decided>",
            summary=concern_texts.HELP_ANSWER,
            section=texts.SECTION_TEAMS,
            leads=True,
        ),
        Command(
            STORY,
            "learning",
            handlers.tell_learning,
            usage="<what happened>",
            summary=texts.HELP_LEARNING,
            section=texts.SECTION_STORIES,
            menu=texts.MENU_LEARNING,
            hint="<text>",
        ),
        Command(
            STORY,
            "impact",
            handlers.tell_impact,
            usage="<what changed>",
            summary=texts.HELP_IMPACT,
            section=texts.SECTION_STORIES,
            menu=texts.MENU_IMPACT,
            hint="<text>",
        ),
        Command(
            STORY,
            "outcome",
            handlers.tell_outcome,
            usage="<what customers do differently now>",
            summary=texts.HELP_OUTCOME,
            section=texts.SECTION_STORIES,
        ),
    ),
    notes=(
        HelpNote(texts.SECTION_TEAMS, concern_texts.HELP_LOOKUP),
        HelpNote(texts.SECTION_STORIES, texts.HELP_STORY_FORMS),
    ),
    forms={
        forms.LEARNING: handlers.form,
        forms.IMPACT: handlers.form,
        forms.OUTCOME: handlers.form,
        concern_forms.CONCERN: concerns.form,
        concern_forms.ANSWER: concerns.answer_form,
    },
    actions={
        ConcernAction.OPEN_FORM: concerns.open_form,
        ConcernAction.VOICE: concerns.voice_named,
        ConcernAction.VOICE_ANONYMOUSLY: concerns.voice_anonymously,
        ConcernAction.ANSWER: concerns.open_answer_form,
        StoryAction.ADD_OUTCOME: handlers.open_outcome_form,
        StoryAction.OPEN_LEARNING: handlers.open_learning_form,
        StoryAction.OPEN_IMPACT: handlers.open_impact_form,
    },
    events={EventKind.SHORTCUT: handlers.shortcut},
)
