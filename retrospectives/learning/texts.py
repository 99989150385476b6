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
    stories, match = ("story", "matches") if count == 1 else ("stories", "match")
    return f"{count} {stories} of {', '.join(teams)} {match}, newest first:"


def search_nothing(teams: list[str]) -> str:
    return (
        f"No story of {', '.join(teams)} matches. Try fewer words, or the start of a word "
        "(onboard finds onboarding)."
    )


def story_heading(kind: str, team: str, quarter: str, details: list[str]) -> str:
    return " · ".join([kind, team, quarter, *details])


HELP_LEDGER = "your team's learning ledger, quarter by quarter, privately"
LEDGER_CHOOSE = "You are in several teams; name one, for example: /okr ledger Checkout"
LEDGER_NOT_MEMBER = (
    "The ledger of a team is for its members: run this in the team's channel, "
    "or name a team you are in."
)
LEDGER_HYPOTHESES = "Hypotheses tested"
LEDGER_IMPACT = "Customer-impact stories"
LEDGER_ADAPTATIONS = "Adaptations followed through"
LEDGER_CONCERNS = "Metric concerns"
LEDGER_SHOWN = 8


def ledger_title(team: str) -> str:
    return f"The learning ledger of {team}, newest quarter first (team figures, never people's)"


def ledger_empty(team: str) -> str:
    return (
        f"{team} has no stories, adaptations or concerns yet. "
        "Tell one with /story learning or /story impact."
    )


def ledger_hypotheses(validated: int, invalidated: int, inconclusive: int, untested: int) -> str:
    line = (
        f"{validated} validated · {invalidated} invalidated (learned what does not work) · "
        f"{inconclusive} inconclusive"
    )
    if untested:
        line += (
            f" · {untested} more learning {'story' if untested == 1 else 'stories'} with no result"
        )
    return line


def ledger_impact(with_evidence: int, without: int) -> str:
    return f"{with_evidence} with evidence · {without} still without evidence"


def ledger_adaptations(done: int, dropped: int, still_open: int) -> str:
    return f"{done} done · {dropped} dropped · {still_open} open"


def ledger_concerns(raised: int, answered: int) -> str:
    return f"{raised} raised · {answered} answered"


def ledger_older(count: int) -> str:
    return f"{count} older {'quarter' if count == 1 else 'quarters'} in the quarterly report."
