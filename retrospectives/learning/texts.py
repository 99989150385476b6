"""What the bot says about a team's learning over time: search and ledger."""

from __future__ import annotations

HELP_SEARCH = (
    "find your teams' learning and impact stories by their words; add a quarter (2026Q3), "
    "a key result (KR2) or a result (validated, invalidated, inconclusive) to narrow it"
)
SEARCH_USAGE = (
    "Tell me what to look for, for example: /story search onboarding, "
    "/story search checkout 2026Q3 or /story search KR2 invalidated"
)
SEARCH_NO_TEAMS = (
    "You are not in any team's channel yet, so there are no stories of yours to search. "
    "Run this in your team's channel."
)
LEARNING_KIND = "Learning story"
IMPACT_KIND = "Customer-impact story"
MORE_MATCH = "More stories match: add a word, a quarter or a key result to narrow the search."
SEARCH_CUT = "…"


def search_too_long(limit: int) -> str:
    return f"That search is too long; keep it under {limit} characters."


def search_found(count: int, teams: list[str]) -> str:
    stories = "story" if count == 1 else "stories"
    return f"{count} {stories} of {', '.join(teams)} match, newest first:"


def search_nothing(teams: list[str]) -> str:
    return (
        f"No story of {', '.join(teams)} matches. Try fewer words, or the start of a word "
        "(onboard finds onboarding)."
    )


def story_heading(kind: str, team: str, quarter: str, details: list[str]) -> str:
    return " · ".join([kind, team, quarter, *details])
