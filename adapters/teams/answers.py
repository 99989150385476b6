"""Decide where each reply to a Teams activity goes: into the turn, or to the person alone.

Teams has no ephemeral messages: anything posted in a channel is seen by everyone in it. So a
private reply to someone who acted in a channel or group chat goes to their 1:1 chat with the
bot (created proactively when there is none yet). If even that chat cannot be opened (the app
is not installed for them), okrbot answers in the thread with :data:`PRIVATE_FALLBACK`, a note
that says where to ask again, and never with the private content itself: a lead's digest or a
refusal about someone's story must not reach the whole channel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from adapters.teams import cards
from bot.events import ChatEvent, EventKind
from bot.replies import Outcome, Reply, Section, Visibility

PRIVATE_FALLBACK = (
    "I have a private answer for you but cannot open a chat with you. Open a chat with "
    "okrbot in Teams (Apps, then okrbot) and ask me there."
)
FORM_ERRORS = "Some answers need another look:"
WELCOME = (
    "Hello, I am okrbot. I run OKR retrospectives, keep your team's learning and customer-impact "
    "stories, and pass on thanks between teams. Type okr help to see what you can ask me."
)


@dataclass(frozen=True, slots=True)
class Send:
    """One message to send: in the turn's conversation, or privately to the person who acted."""

    activity: dict[str, Any]
    private: bool = False


def plan(event: ChatEvent, outcome: Outcome) -> list[Send]:
    """Place every reply; form errors come first, as one private message."""
    sends: list[Send] = []
    if event.kind is EventKind.FORM_SUBMISSION and outcome.form_errors:
        fields = "\n".join(f"{name}: {text}" for name, text in outcome.form_errors.items())
        sends.append(_send(event, Reply(FORM_ERRORS, (Section(text=fields),))))
    sends += [_send(event, reply) for reply in outcome.replies]
    return sends


def _send(event: ChatEvent, reply: Reply) -> Send:
    private = reply.visibility is Visibility.PRIVATE and not event.is_direct
    origin = event.channel_id if private else ""  # a form answered in private counts here
    return Send(cards.message(reply, origin=origin), private=private)


def settle(outcome: Outcome, *, in_own_chat: bool) -> tuple[Reply | None, Outcome]:
    """The reply that becomes the card someone acted on (a Universal Action), and the rest.

    In the person's own 1:1 chat the first reply takes the card's place (a draft's buttons
    become "posted" or "discarded", a form becomes its confirmation); in a channel or group chat
    only a reply for everyone there may, and private ones go to the person as ever. A form
    with errors keeps its card, so that the answers can be mended.
    """
    if outcome.form_errors:
        return None, outcome
    for number, reply in enumerate(outcome.replies):
        if in_own_chat or reply.visibility is Visibility.CHANNEL:
            rest = outcome.replies[:number] + outcome.replies[number + 1 :]
            return reply, replace(outcome, replies=rest)
    return None, outcome


def settled_card(event: ChatEvent, reply: Reply, activity_id: str) -> dict[str, Any]:
    """The card message that replaces the one acted on (its id), for everyone who sees it."""
    origin = "" if event.is_direct else event.channel_id
    return {**cards.card_activity(reply, origin=origin), "id": activity_id}


def invoke_card(card: dict[str, Any]) -> dict[str, Any]:
    """The answer to an ``adaptiveCard/action`` invoke: the card as it looks now."""
    content = card["attachments"][0]["content"]
    return {"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": content}


def invoke_error(outcome: Outcome) -> dict[str, Any]:
    """The answer to an action whose form needs another look: the card stays as it is."""
    errors = "; ".join(f"{name}: {text}" for name, text in outcome.form_errors.items())
    message = f"{FORM_ERRORS} {errors}"[:500]
    return {
        "statusCode": 400,
        "type": "application/vnd.microsoft.error",
        "value": {"code": "BadRequest", "message": message},
    }


def fallback() -> dict[str, Any]:
    """The note posted in the turn when a private answer cannot be delivered privately."""
    return cards.message(Reply(PRIVATE_FALLBACK))


def welcome() -> dict[str, Any]:
    """The short hello okrbot posts once where it has just been added."""
    return cards.message(Reply(WELCOME))
