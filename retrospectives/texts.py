"""What teams, key results, stories, concerns and the home say (retrospectives: cycles/texts),
and the command words people type."""

from __future__ import annotations

from collections.abc import Sequence

OKR = "okr"
STORY = "story"
RETRO = "retro"

SECTION_TEAMS = "Teams and key results"
SECTION_STORIES = "Stories"
SECTION_RETRO = "Retrospectives"
OKR_WORD = "Teams, key results, metric concerns and your digest"
STORY_WORD = "Tell a learning story or a customer-impact story"
HELP_TEAM_CREATE = "make this channel a team's home; you become its lead"
HELP_TEAM_LEAD = "add a lead to this channel's team"
HELP_TEAM_CLAIM = "become the lead of this channel's team when it has none left"
HELP_KR_ADD = "record a key result your stories can cite (KR1, KR2, ...)"
HELP_KR = "list this team's key results"
HELP_LEARNING = (
    "a learning story. Add detail with "
    "hypothesis: ... | tried: ... | evidence: ... | learned: ... | "
    "result: validated, invalidated or inconclusive | next: ... | kr: KR1"
)
HELP_IMPACT = "a customer-impact story, with who: ... | before: ... | after: ... | evidence: ..."
HELP_OUTCOME = "add the outcome to your last story"
HELP_STORY_FORMS = "Type /story learning or /story impact alone to fill in a form."
MENU_TEAM_CREATE = "Make this channel a team's home"
MENU_KR_ADD = "Record a key result of this team"
MENU_CONCERN = "Tell the leads a metric is pushing people the wrong way"
MENU_LEARNING = "Tell a learning story (no text opens a card)"
MENU_IMPACT = "Tell a customer-impact story"

TEAM_NAME_MISSING = "Give the team a name, for example: /okr team create Checkout tz=Europe/Berlin"
NO_TEAM_HERE = (
    "No team lives in this conversation. Run this in the team's channel, "
    "or add team: <name> to the story."
)
TEAM_CREATE_IN_CHANNEL = (
    "A team needs a channel to live in. Run /okr team create <name> in the team's channel."
)
LEAD_USAGE = (
    "Say who by mentioning them, for example: /okr team lead @ana "
    "(pick the person from the list the app offers as you type)."
)
KR_EMPTY = "Write the key result itself, for example: /okr kr add Weekly active buyers grow 10%"
KR_TOO_LONG = "Please keep a key result under 500 characters."
KR_REFERENCE_HINT = "Use a key result number such as KR1."
STORY_EMPTY = "Tell the story after the command, or type the command alone to open a form."
OUTCOME_EMPTY = "Tell me what customers do differently now, after /story outcome."
NO_STORY_AWAITING_OUTCOME = (
    "I have no recent story of yours waiting for an outcome. "
    "Tell a new one with /story impact <what changed>."
)
RESULT_HINT = "Use validated, invalidated or inconclusive."
CONCERN_USAGE = (
    "Name the metric, then the harm you see, for example: "
    "/okr concern Handle time: agents close tickets before the problem is solved anonymous"
)
CONCERN_TOO_LONG = "Please keep the metric under 200 characters and the harm under 3,000."
UNKNOWN_OKR = (
    "I know /okr team create, /okr team lead, /okr team claim, /okr kr add, /okr kr, "
    "/okr concern and "
    "/okr digest. Type /okr help for details."
)
UNKNOWN_STORY = (
    "Start with /story learning or /story impact (or /story outcome to finish your last story)."
)
SHORTCUT_EMPTY = "That message has no text to keep as a story."
FORM_TITLE_LEARNING = "Learning story"
FORM_TITLE_IMPACT = "Customer-impact story"
FORM_TITLE_OUTCOME = "What changed?"
CHOICE_VALIDATED = "Validated: it worked as we thought"
CHOICE_INVALIDATED = "Invalidated: it did not, and we learned why"
CHOICE_INCONCLUSIVE = "Inconclusive: we can't tell yet"
LABEL_HYPOTHESIS = "What did we believe?"
HINT_HYPOTHESIS = "We believed that ..."
LABEL_TRIED = "What did we try?"
LABEL_EVIDENCE = "What evidence did we see?"
LABEL_LEARNED = "What did we learn?"
LABEL_RESULT = "Result"
LABEL_ADAPTATION = "What will we do differently?"
LABEL_KR = "Key result it relates to"
HINT_KR = "KR1"
LABEL_WHO = "Who was affected?"
HINT_WHO = "Returning buyers on mobile"
LABEL_BEFORE = "What did they do before?"
LABEL_AFTER = "What do they do now?"
LABEL_HOW_KNOWN = "How do we know?"
LABEL_OUTCOME = "What do customers do differently now, and how do you know?"


def team_name_too_long(limit: int) -> str:
    return f"Please keep the team name under {limit} characters."


def unknown_timezone(zone: str) -> str:
    return (
        f"I don't know the timezone “{zone}”. Use an IANA name such as "
        "Europe/Berlin, America/New_York or Asia/Kolkata."
    )


def channel_taken(team: str) -> str:
    return f"This channel is already the home of team {team}."


def team_name_taken(name: str) -> str:
    return f"There is already a team called {name} in this workspace. Pick another name."


def no_team_named(name: str) -> str:
    return f"There is no team called {name} here."


def only_leads(team: str, leads: Sequence[str]) -> str:
    if not leads:
        return (
            f"Only a lead of {team} can do that, and {team} has no lead at the moment. "
            "Anyone in its channel can become its lead with /okr team claim."
        )
    return f"Only a lead of {team} can do that. Ask {_either(leads)}."


def _either(people: Sequence[str]) -> str:
    if len(people) == 1:
        return f"its lead, {people[0]}"
    return f"one of its leads: {', '.join(people[:-1])} or {people[-1]}"


def team_claimed(team: str) -> str:
    return (
        f"{team} had no lead; now you lead it. Add others with /okr team lead @person, "
        "so the team is never left without one."
    )


def claim_taken(team: str, leads: Sequence[str]) -> str:
    return f"{team} already has a lead, so it cannot be claimed. Ask {_either(leads)}."


def team_created(name: str, timezone: str) -> str:
    return (
        f"Team {name} now lives in this channel (timezone {timezone}). You are its first lead. "
        "Stories told here belong to the team; /okr help shows what you can do next."
    )


def lead_added(team: str, user: str) -> str:
    return f"{user} is now a lead of {team}."


def lead_already(team: str, user: str) -> str:
    return f"{user} is already a lead of {team}."


def kr_added(team: str, code: str, text: str) -> str:
    return f"Recorded {code} for {team}: {text}. Cite it in a story with kr: {code}."


def kr_list_empty(team: str) -> str:
    return f"{team} has no key results yet. Add one with /okr kr add <key result>."


def kr_list_title(team: str) -> str:
    return f"Key results of {team}"


FILL_THIS_IN = "Please fill this in."
PARTS_MISSING = "A few parts are missing."
PART_TOO_LONG = "A part is too long."


def part_too_long(limit: int) -> str:
    return f"Please keep this under {limit:,} characters."


def field_too_long(name: str, limit: int) -> str:
    return f"The {name} part is too long; please keep each part under {limit:,} characters."


def story_too_long(length: int, limit: int) -> str:
    return (
        f"That story is {length:,} characters long; I keep stories up to {limit:,}. "
        "Please shorten it or tell it as two stories."
    )


def unknown_result(value: str) -> str:
    return f"I can't read the result “{value}”. {RESULT_HINT}"


def unknown_key_result(reference: str, known: Sequence[str]) -> str:
    if not known:
        return (
            f"This team has no key result {reference}. Record one first with /okr kr add, "
            "or leave out kr:."
        )
    return f"This team has no key result {reference}. Its key results are {', '.join(known)}."


def learning_saved(team: str, invalidated: bool) -> str:
    if invalidated:
        return (
            f"Saved your learning story for {team}. A disproved hypothesis is a real result: "
            "thank you for sharing what didn't work."
        )
    return f"Saved your learning story for {team}. Thank you for sharing what you learned."


def output_story_saved(team: str) -> str:
    return f"Saved your story for {team}."


ADD_OUTCOME_BUTTON = "Add what changed"


def impact_saved(team: str) -> str:
    return f"Saved your customer-impact story for {team}."


FOLLOW_UP_OUTCOME = (
    "That tells me what was shipped. What do customers do differently now, and how do you "
    "know? Add it with /story outcome <what changed>, and the story will show the outcome "
    "beside the output."
)
FOLLOW_UP_IMPACT = (
    "To make this a customer-impact story, say how behaviour changed: "
    "who: ... | before: ... | after: ... | evidence: ..."
)


def outcome_added(team: str) -> str:
    return f"Added the outcome to your story for {team}. That is the part leads will read first."


def anonymous_concerns_for_lead(team: str, lines: list[str]) -> str:
    listed = "\n".join(f"• {line}" for line in lines)
    return (
        f"Concerns about metrics of {team}, raised anonymously since the last notice:\n"
        f"{listed}\n"
        "Talk about them with the team: a number that drives the wrong behaviour is worth "
        "changing."
    )


def story_saved_from_message(team: str) -> str:
    return f"Saved that message as a learning story for {team}."


def nobody_to_ask(team: str, *, to_lead: bool) -> str:
    then = "run /retro start again" if to_lead else "a lead can open it with /retro start"
    return (
        f"I didn't open {team}'s retrospective: nobody in its channel can answer (bots and "
        f"deactivated accounts are left out). Invite the team's people to the channel, then "
        f"{then}."
    )


# Home

HOME_TITLE = "okrbot: learning, customer impact and recognition, in your teams"
HOME_TEAMS = "Your teams"
HOME_LEAD_MARK = " (you lead it)"
HOME_NO_TEAMS = (
    "You are not in a team yet. A team lives in its channel: /okr team create <name> there "
    "makes one, and anyone who talks to me in that channel belongs to it."
)
HOME_TELL_LEARNING = "Tell a learning story"
HOME_TELL_IMPACT = "Tell a customer-impact story"
HOME_OPEN_RETRO = "Waiting for your answers"
HOME_RECENT = "Recent learning in your teams"


def home_retro(title: str, team: str, deadline: str, remaining: int) -> str:
    return (
        f"{team}'s {title} is open until {deadline}; {remaining} question(s) left. "
        "Answer in a direct message to me, or in the form."
    )
