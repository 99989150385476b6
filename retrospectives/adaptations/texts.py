"""What the bot says about adaptations and how they were followed through."""

from __future__ import annotations

HELP_ADAPT = (
    "the team's adaptations: take one on, for you or the team, with a day on which I ask "
    "whether it happened; then say what became of it"
)
ADAPT_USAGE = (
    "Try /retro adapt (the list), /retro adapt A7 mine by 2027-03-01, /retro adapt A7 team, "
    "or /retro adapt A7 done (or dropped, or open)."
)
NOT_YOUR_TEAM = "That adaptation belongs to a team you are not in."


def date_unreadable(value: str) -> str:
    return f"I could not read {value} as a date; write it as 2027-03-01."


def date_past(value: str) -> str:
    return f"{value} has passed already; pick a day from today on."


def no_adaptation(reference: str) -> str:
    return f"There is no adaptation {reference} here. /retro adapt lists your team's."


def adaptations_title(team: str) -> str:
    return (
        f"Adaptations of {team} and how they were followed through (team figures, never people's)"
    )


def adaptations_none(team: str) -> str:
    return (
        f"{team} has no adaptations yet: a retrospective's answers about what to adapt become them."
    )


def adaptation_line(reference: str, text: str, fate: str, owner: str, due: str) -> str:
    return f"{reference} · {fate}{owner}{due}\n{text}"


OWNED_BY_TEAM = " · the team looks after it"
OWNED_BY_YOU = " · you look after it"
OWNED_BY_A_MEMBER = " · a member looks after it"


def due_label(day: str) -> str:
    return f" · asked on {day}"


def taken(reference: str, team_owns: bool, day: str | None) -> str:
    who = "The team looks after" if team_owns else "You look after"
    when = (
        f"; I will ask {'the team' if team_owns else 'you'} on {day} whether it happened"
        if day
        else ""
    )
    return f"{who} {reference}{when}."


def decided(reference: str, fate: str) -> str:
    return f"{reference} is now {fate}. It counts in the team's ledger, never as anyone's score."


def check_question(reference: str, text: str, day: str) -> str:
    return (
        f"On {day} the team meant to have done this: “{text}”. Did it happen? "
        f"Answer /retro adapt {reference} done, /retro adapt {reference} dropped, or leave it "
        "open; the next retrospective asks whether it worked and what the evidence is."
    )


def follow_ups_on_close(lines: list[str]) -> str:
    return (
        "Give each adaptation an owner and a date (you or the team), and I will ask then "
        "whether it happened:\n" + "\n".join(lines)
    )
