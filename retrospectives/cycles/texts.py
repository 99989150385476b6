"""Everything retrospectives say: their help, prompts, answers, summaries and refusals."""

from __future__ import annotations

RETRO_WORD = "Schedule, start, follow and close your team's retrospective"

HELP_SCHEDULE = (
    "when this team's retrospectives open (quarterly opens on the Monday one to two weeks "
    "before a quarter ends, 10:00 team time)"
)
HELP_START = "open a retrospective now"
HELP_STATUS = "is one open, until when, and how many have answered"
HELP_CLOSE = "close it now and post the summary"
HELP_QUESTIONS = (
    "the questions this team is asked; its leads can reword them with "
    "/retro questions set <bet|learned|behaviour|adapt|metric> <text> or /retro questions reset"
)
HELP_ANONYMITY = "how many must answer anonymously before anonymous answers are shown (at least 3)"
MENU_START = "Open this team's retrospective now"
MENU_STATUS = "Is a retrospective open, and how many have answered"
ANSWER_IN_FORM = "Answer in a form"


def now_anonymous(threshold: int) -> str:
    return (
        "From now on your answers in this retrospective are anonymous: I keep them without your "
        f"name, time or any link to you. They appear in the summary only if at least {threshold} "
        f"people answer anonymously; with fewer, they are kept but nobody sees them, so nobody "
        "can work out which answers were yours."
    )


SKIPPED = "Skipped."
THANKS_FOR_ANSWER = "Thank you, noted."
NOT_YOUR_RETRO = "That retrospective isn't one you were asked to answer."
RETRO_ALREADY_CLOSED = (
    "That retrospective has closed. Tell me anything you still want to say here, and I'll "
    "keep it as a learning story."
)
UNKNOWN_RETRO = (
    "I know /retro schedule, /retro start, /retro status, /retro close, /retro questions and "
    "/retro anonymity."
)


def anonymity_is(team: str, threshold: int) -> str:
    return (
        f"Anonymous answers in {team}'s retrospectives are shown only when at least {threshold} "
        "people answer anonymously (or more, if okrbot's operators set more). A lead can raise "
        "it with /retro anonymity <number>."
    )


def anonymity_usage(floor: int) -> str:
    return f"Say how many, {floor} or more: for example /retro anonymity 5."


def anonymity_set(team: str, threshold: int) -> str:
    return (
        f"From now on, anonymous answers in {team}'s retrospectives are shown only when at "
        f"least {threshold} people answer anonymously (or more, if okrbot's operators set "
        "more). An open retrospective keeps the higher of its threshold and this one."
    )


SCHEDULE_USAGE = (
    "Say when, for example: /retro schedule quarterly, /retro schedule off, or a cron "
    "expression in the team's time such as /retro schedule 0 10 * * 1 (no more often than weekly)."
)
SCHEDULE_OFF = (
    "Scheduled retrospectives are off for this team. /retro start still opens one by hand."
)
RETRO_NOT_OPEN = "No retrospective is open for this team. A lead can start one with /retro start."
METRIC_FROM_RETRO = "Raised in the retrospective"
PRESSURE_FROM_RETRO = "Pressure on a key result (retrospective, anonymous)"
FORM_TITLE_RETRO = "Retrospective"
CHOICE_NAMED = "No, use my name"
CHOICE_ANONYMOUS = "Yes, keep them anonymous"


def anonymous_choice(threshold: int) -> str:
    return (
        f"Keep my answers anonymous (shown only if at least {threshold} people answer "
        "anonymously; otherwise kept unseen)"
    )


SUMMARY_TITLES = {
    "followup": "Last time's adaptations: did we do them, did they work?",
    "bet": "What we bet on, and what happened",
    "learned": "What we learned",
    "behaviour": "Whose behaviour changed",
    "adapt": "What we will do differently",
    "metric": "Metrics that pushed us toward output",
    "pressure": "Pressure to make a key result look better than its outcome",
}


def schedule_set(team: str, schedule: str, next_open: str | None) -> str:
    when = f" The next one opens {next_open}." if next_open else ""
    return f"{team}'s retrospectives now follow the schedule “{schedule}”.{when}"


def retro_starting(team: str) -> str:
    return (
        f"Opening a retrospective for {team} now. Everyone in this channel gets the questions "
        "privately in a moment."
    )


def retro_already_open(team: str, deadline: str) -> str:
    return f"{team} already has a retrospective open, until {deadline}."


def retro_status_open(title: str, deadline: str, answered: int, asked: int) -> str:
    return f"The {title} is open until {deadline}. {answered} of {asked} people have answered."


def retro_status_next(team: str, next_open: str) -> str:
    return f"No retrospective is open for {team}. The next one opens {next_open}."


def retro_status_unscheduled(team: str) -> str:
    return (
        f"No retrospective is open for {team}, and none is scheduled. "
        "A lead can use /retro schedule quarterly, or /retro start."
    )


def retro_closing(title: str) -> str:
    return f"Closed the {title}. The summary is on its way to the channel."


def retro_opened_in_channel(team: str, title: str, deadline: str, people: int) -> str:
    asked = "the one person" if people == 1 else f"each of the {people} people"
    return (
        f"{team}'s {title} is open until {deadline}. I've asked {asked} here a few questions "
        "privately: what we bet on, what we learned (failures count), whose behaviour changed, "
        "and what we'll adapt. The summary appears here when it closes."
    )


def retro_prompt(team: str, title: str, deadline: str, count: int) -> str:
    return (
        f"{team}'s {title} is open until {deadline}. I'll ask {count} short questions, one "
        "at a time: reply here with your answer. Say skip to skip one, or anonymous to keep your "
        "remaining answers anonymous."
    )


def question_title(number: int, total: int) -> str:
    return f"Question {number} of {total}"


def all_answered(title: str) -> str:
    return (
        f"That was the last question. Thank you for your answers to the {title}; the team's "
        "summary appears in the channel when it closes."
    )


def late_answer_kept(title: str) -> str:
    return (
        f"The {title} has already closed, so I kept what you wrote as a learning story for the "
        "team. Nothing is lost."
    )


def reminder(team: str, title: str, deadline: str) -> str:
    return (
        f"A gentle reminder: {team}'s {title} closes {deadline}. Reply here whenever you "
        "have a moment."
    )


def answer_too_long(limit: int) -> str:
    return f"Please keep each answer under {limit:,} characters, or split it over two messages."


def summary_heading(team: str, title: str, answered: int, asked: int) -> str:
    if not answered:
        return f"{team}'s {title} has closed. Nobody answered this time."
    return (
        f"{team}'s {title} has closed. {answered} of {asked} people answered — thank you. "
        "Here is what the team said."
    )


def anonymous_withheld(threshold: int) -> str:
    return (
        "Anonymous answers are kept but not shown: fewer than "
        f"{threshold} people answered anonymously, so they could not stay anonymous."
    )


def question_list(team: str, rows: list[tuple[str, str]]) -> str:
    asked = "\n".join(f"{key}: {text}" for key, text in rows)
    return f"The questions {team}'s retrospectives ask:\n{asked}"


def question_updated(team: str, key: str) -> str:
    return (
        f"{team}'s {key} question now reads as you wrote it, for its retrospectives opened "
        "from now on."
    )


def questions_reset(team: str) -> str:
    return f"Back to the default questions for {team}'s retrospectives opened from now on."


QUESTIONS_USAGE = (
    "Reword a question with /retro questions set <bet|learned|behaviour|adapt|metric> <text>, "
    "or go back to the defaults with /retro questions reset."
)
QUESTION_TOO_LONG = "Please keep a question under 500 characters."
