"""What the bot says about metric concerns: raising, voices, answers, escalation."""

from __future__ import annotations

HELP_CONCERN = "tell the leads a metric is pushing people the wrong way (team: the team sees it)"
HELP_VOICE = "add your voice to a concern the team can see, once (anonymous: without your name)"
HELP_ANSWER = "answer a concern with what the team decided: kept, changed or replaced"
HELP_LOOKUP = (
    "/okr concern C7 [team] — a concern and its answer, by the reference given when raising it; "
    "/okr concern C7 | drives: ... — its raiser adds what it lacked"
)

USAGE = (
    "Say which metric and what harm you see, for example: /okr concern Handle time: agents "
    "close tickets before the problem is solved | drives: closing fast | harms: customers who "
    "call back | instead: problems solved on first contact anonymous team"
)
PART_UNKNOWN = "I know these parts after a bar: drives:, harms: and instead:."
TOO_LONG = "Please keep the metric under 200 characters and each part under 3,000."
REFERENCE_USAGE = "Name the concern by its reference, for example C7."
ANSWER_USAGE = (
    "Answer with the reference and what the team decided, for example: /okr concern answer C7 "
    "changed: we now count problems solved on first contact"
)
NOT_YOURS = (
    "Only the person who raised a concern can add to it, and an anonymous one only until the "
    "leads have read it."
)
VOICE_NOT_TEAM = "That concern went to the leads only, so there is no voice to add to it."
ANSWERED_ALREADY = "That concern has an answer already."
FORM_TITLE = "Raise a concern about a metric"
ANSWER_FORM_TITLE = "Answer a concern"
LABEL_METRIC = "Which metric or target?"
LABEL_HARM = "What harm do you see?"
LABEL_DRIVES = "What behaviour does it reward? (optional)"
LABEL_HARMS = "Who is harmed? (optional)"
LABEL_INSTEAD = "A better measure (optional)"
LABEL_ANONYMOUS = "Raise it"
LABEL_VISIBLE = "Who sees it"
LABEL_DECISION = "What did the team decide?"
LABEL_ANSWER = "In a few words, for the team"
CHOICE_NAMED = "with my name"
CHOICE_ANONYMOUS = "anonymously"
CHOICE_LEADS = "the leads only"
CHOICE_TEAM = "the whole team, who can add their voice"
CHOICE_KEPT = "we keep the metric"
CHOICE_CHANGED = "we change it"
CHOICE_REPLACED = "we replace it"
OPEN_FORM_BUTTON = "Raise a concern"
VOICE_BUTTON = "Add my voice"
VOICE_ANONYMOUS_BUTTON = "Add my voice anonymously"
ANSWER_BUTTON = "Answer this concern"
DECIDED = {"kept": "kept the metric", "changed": "changed it", "replaced": "replaced it"}


def helping_question(code: str) -> str:
    """The one question a vague concern gets, never more."""
    return (
        "One question, so the leads can act on it: what does this metric reward people for doing, "
        f"and who is harmed? If you can say, add it with /okr concern {code} | drives: ... "
        "| harms: ... (and | instead: ... for a better measure)."
    )


def parts_added(code: str) -> str:
    return f"Added to {code}. Thank you: that is what the leads need to act on it."


def saved(team: str, code: str, visible: bool) -> str:
    seen = (
        "It is posted in the team's channel, where others can add their voice."
        if visible
        else "The leads will hear about it, and it goes into their weekly digest."
    )
    return (
        f"Thank you: your concern is {code} for {team}. {seen} Look it up with /okr concern {code}."
    )


def saved_anonymously(team: str, code: str, arrives: str, visible: bool) -> str:
    seen = (
        " The team's channel shows it then too, where others can add their voice."
        if visible
        else ""
    )
    return (
        f"Thank you. I keep this without your name and without the time you wrote it. Its "
        f"reference is {code}: keep it, since nobody can message you. The leads of {team} will "
        f"read it on {arrives}, in a morning notice together with any other anonymous concerns "
        f"of the day.{seen} Find the answer with /okr concern {code}."
    )


def raised_by(name: str | None) -> str:
    return f"raised by {name}" if name else "raised anonymously"


def voices(named: int, anonymous: int) -> str:
    total = named + anonymous
    if not total:
        return "No voices added yet."
    counted = f"{total} voice{'s' if total != 1 else ''} added"
    return f"{counted} ({named} by name, {anonymous} anonymously)."


def voice_added(code: str, named: int, anonymous: int) -> str:
    return f"Your voice is added to {code}. {voices(named, anonymous)}"


def voice_already(code: str) -> str:
    return f"You added your voice to {code} already; each person counts once."


def no_concern(team: str, code: str) -> str:
    return f"{team} has no concern {code} that you can see yet."


def answered(code: str, decision: str | None, answer: str) -> str:
    what = f"The team {DECIDED[decision]}: " if decision else "The team's answer: "
    return f"Answer to {code}. {what}{answer}"


def answer_saved(code: str) -> str:
    return f"{code} is answered, and concern and answer are posted in the team's channel."


def awaiting_answer(days: int) -> str:
    return f"Open for {days} day{'s' if days != 1 else ''}, awaiting an answer from the leads."


def for_channel(team: str, code: str) -> str:
    return f"A concern about a metric of {team} ({code}). Add your voice if you see it too."


def for_leads(team: str, code: str, raised_by: str | None) -> str:
    who = raised_by or "Someone"
    return (
        f"{who} raised a concern about a metric of {team} ({code}). Talk about it with the "
        "team: a number that drives the wrong behaviour is worth changing. Answer it when the "
        "team has decided."
    )


def escalated_for_admins(team: str, code: str, days: int) -> str:
    return f"{team}'s concern {code} has waited {days} days without an answer from its leads."


def escalated_for_team(team: str, code: str) -> str:
    return (
        f"Concern {code} of {team} waited too long for an answer, so it was raised with the "
        "workspace's escalation channel."
    )
