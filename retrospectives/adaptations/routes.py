"""What adaptations answer: ``/retro adapt``, as data."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import Command, Routes
from retrospectives.adaptations import handlers, texts

RETRO = "retro"  # the word retrospectives.cycles.routes declares
SECTION = "Retrospectives"

ROUTES: Routes[AsyncSession] = Routes(
    commands=(
        Command(
            RETRO,
            "adapt",
            handlers.adapt,
            usage="[A7 mine|team [by YYYY-MM-DD] | A7 done|dropped|open]",
            summary=texts.HELP_ADAPT,
            section=SECTION,
        ),
    ),
)
