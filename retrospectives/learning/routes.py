"""What a team's learning over time answers: its commands, as data."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import Command, Routes
from retrospectives import texts as shared_texts
from retrospectives.learning import handlers, texts
from retrospectives.okrs.routes import OKR, STORY

ROUTES: Routes[AsyncSession] = Routes(
    commands=(
        Command(
            STORY,
            "search",
            handlers.search_stories,
            usage="<words> [2026Q3] [KR2] [result]",
            summary=texts.HELP_SEARCH,
            section=shared_texts.SECTION_STORIES,
        ),
        Command(
            OKR,
            "ledger",
            handlers.ledger,
            usage="[team]",
            summary=texts.HELP_LEDGER,
            section=shared_texts.SECTION_STORIES,
        ),
    ),
)
