"""Everything the recognition domain says, in one place.

No sentence here counts, scores or ranks people: shout-outs are narrative, and the only
figures shown are about the whole workspace (coverage for leads).
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.recognition import Behaviour

SECTION = "Shout-outs"
WORD = "Recognise another team for how they worked"
HELP_SHOUTOUT = (
    "recognise another team for how they "
    "worked: learning and adapting, a well-run experiment (whatever its result), helping "
    "another team, or a difference for customers"
)
HELP_SEVERAL = (
    "/shoutout Checkout, Payments <what they did> — several teams at once; add "
    "behaviour: learning | experiment | helping | customer | other to say which"
)
HELP_PRIVATE = "/shoutout private <team> <what they did> — only the team's leads see it"
HELP_FORM = "Type /shoutout alone to fill in a form. React to a shout-out to add your voice."
MENU = "Thank a team for how they worked"

BEHAVIOUR_LABELS = {
    Behaviour.LEARNING: "learning and adapting",
    Behaviour.EXPERIMENT: "a well-run experiment",
    Behaviour.HELPING: "helping another team",
    Behaviour.CUSTOMER: "a difference for customers",
    Behaviour.OTHER: "how they worked",
}

FORM_TITLE = "Give a shout-out"
FORM_SUBMIT = "Post"
FORM_TEAMS = "Which team or teams?"
FORM_TEAMS_HINT = "Checkout, Payments or #channel"
FORM_BEHAVIOUR = "What are you recognising?"
FORM_NARRATIVE = "What did they do, and what difference did it make?"
FORM_NARRATIVE_HINT = "They ran ... and because of it we ..."
FORM_PRIVATE = "Who sees it?"
FORM_PRIVATE_NO = "Everyone in the team's channel"
FORM_PRIVATE_YES = "Only the team's leads"

NO_TEAM_GIVEN = (
    "Which team? For example: /shoutout Payments for pairing with us on the refund flow "
    "until support tickets dropped. Type /shoutout alone to fill in a form."
)
NO_TEAM_GIVEN_FORM = "Name at least one team, or a #channel where a team lives."
HINT_GOOD_SHOUT_OUT = (
    "A good shout-out says what the team did and what changed because of it: "
    '"Payments paired with us for two days on the refund flow, and now our support '
    'team can answer refund questions alone."'
)
POST_ANYWAY = "Post anyway"
DISCARD = "Discard"
DRAFT_GONE = "That draft is no longer here (or it isn't yours), so there is nothing to post."
DRAFT_DISCARDED = "Discarded. Nothing was posted."
ALREADY_POSTED = "That shout-out is already posted; nothing more to do."
NUDGE_HINT = (
    "Recognition here is for how a team worked, never for hitting a number: praise for "
    "attainment nudges people toward timid or gamed key results. Could you say what they "
    "did — what they learned, tried, changed or helped with — instead? Write the shout-out "
    "again, or post this one as it is."
)
COSIGN_HINT = "React to this message to add your voice."
PRIVATE_FOR_LEADS = "Sent privately: only the team's leads see it."


def unknown_team(name: str) -> str:
    return f"There's no team called “{name}” here. Check the name with your team, or use #channel."


def no_team_in_channel(channel: str) -> str:
    return f"No team lives in #{channel} here. A team is created with /okr team create <name>."


def too_many_teams(most: int) -> str:
    return f"A shout-out can go to up to {most} teams at once. Please split it."


def too_short(least: int) -> str:
    return (
        f"Tell them a little more (at least {least} characters): what did they do, "
        f"and what difference did it make? {HINT_GOOD_SHOUT_OUT}"
    )


def too_long(length: int, most: int) -> str:
    return (
        f"That shout-out is {length:,} characters long; please keep it under {most:,}. "
        "A few sentences about what they did are plenty."
    )


def unknown_behaviour(word: str) -> str:
    names = ", ".join(b.value for b in Behaviour)
    return f"I don't know the behaviour “{word}”. Choose one of: {names}."


def own_team(name: str) -> str:
    return (
        f"{name} is your own team. Shout-outs are for recognising other teams, so "
        "recognition keeps crossing team lines. If your team learned or changed something, "
        "tell it as a learning story instead: /story learning <what happened>."
    )


def repeated(names: str) -> str:
    return (
        f"You already gave {names} exactly this shout-out today. It's posted; "
        "if there is more to say, write what else they did."
    )


def nudge(phrase: str) -> str:
    return f"Before I post this: “{phrase}” sounds like hitting a key result or target."


def posted(names: str, *, private: bool) -> str:
    if private:
        return f"Thank you. Your shout-out goes privately to the leads of {names}."
    return f"Thank you. Your shout-out to {names} is on its way to their channel."


def announcement(team_name: str, giver: str, behaviour: Behaviour) -> str:
    return f"Shout-out to {team_name} from {giver}{_for(behaviour)}"


def private_announcement(team_name: str, giver: str, behaviour: Behaviour) -> str:
    return f"A private shout-out to {team_name} from {giver}{_for(behaviour)}"


def _for(behaviour: Behaviour) -> str:
    return "" if behaviour is Behaviour.OTHER else f", for {BEHAVIOUR_LABELS[behaviour]}"


def join_names(names: Sequence[str]) -> str:
    """Join names as a sentence does: "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


HOME_GIVE = "Give another team a shout-out"
