"""What the runtime itself says: help's frame and the answers to input no domain takes."""

from __future__ import annotations

from collections.abc import Sequence

HELP_TITLE = "Here is what I can do."
SECTION_LEADS = "For leads"
HELP_DIGEST = "this week's learning digest for the teams you lead, privately"
MENU_HELP = "Show what okrbot can do"
MENU_DIGEST = "This week's learning digest for your teams, privately"
FORM_EXPIRED = "That form has expired. Please open it again."


def not_a_command(words: Sequence[str]) -> str:
    slashed = [f"/{word}" for word in words]
    starts = f"{', '.join(slashed[:-1])} or {slashed[-1]}" if len(slashed) > 1 else "".join(slashed)
    return f"I didn't recognise that. Commands start with {starts}; type /okr help to see them all."


def too_long(length: int, limit: int) -> str:
    return (
        f"That message is {length:,} characters long; I keep up to "
        f"{limit:,}. Please shorten it, or split it into two stories."
    )
