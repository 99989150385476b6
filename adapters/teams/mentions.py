"""Teams' mentions in a message: the bot's removed, people's written in the core's form.

Teams marks a mention in the message HTML as ``<at>Grace</at>`` and names who it is in an
``entities`` entry; only such entries make mentions, never text a person typed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from adapters.payloads import text_of
from bot.events import mention

_TAG = re.compile(r"<[^>]*>")
# Private-use characters mark where a mention goes while the HTML is flattened; whatever a
# person typed, these are dropped from it first, so only Teams' entities make mentions.
_SPOT_OPEN, _SPOT_CLOSE = "\ue000", "\ue001"
_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


def bot_mentions(activity: Mapping[str, Any]) -> list[str]:
    """The texts (``<at>okrbot</at>``) of the mention entities that mention this bot."""
    bot_id = text_of(activity, "recipient", "id")
    entities = activity.get("entities")
    if not bot_id or not isinstance(entities, list):
        return []
    return [
        text_of(e, "text")
        for e in entities
        if isinstance(e, Mapping)
        and e.get("type") == "mention"
        and text_of(e, "mentioned", "id") == bot_id
        and text_of(e, "text")
    ]


def plain_text(markup: str) -> str:
    """Teams' message HTML as the person typed it: tags dropped, entities unescaped."""
    text = _BREAK.sub("\n", markup)
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def person_mentions(activity: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The mentions of people (not of this bot): (``<at>Grace</at>``, account id, name)."""
    bot_id = text_of(activity, "recipient", "id")
    entities = activity.get("entities")
    if not isinstance(entities, list):
        return []
    return [
        (text_of(e, "text"), text_of(e, "mentioned", "id"), text_of(e, "mentioned", "name"))
        for e in entities
        if isinstance(e, Mapping)
        and e.get("type") == "mention"
        and text_of(e, "mentioned", "id") not in ("", bot_id)
        and text_of(e, "text")
    ]


def clean_text(
    activity: Mapping[str, Any], people: Mapping[str, str] | None = None
) -> tuple[str, bool]:
    """The message text as plain text, and whether it mentioned the bot.

    Mentions of the bot are removed. A mentioned person whose id ``people`` knows (account id
    to user id) becomes a mention in the kernel's form (:func:`bot.events.mention`); anyone
    else stays their plain name. User text never turns into a mention: only Teams' own
    entities do.
    """
    text = text_of(activity, "text").replace(_SPOT_OPEN, "").replace(_SPOT_CLOSE, "")
    of_bot = bot_mentions(activity)
    for markup in of_bot:
        text = text.replace(markup, " ")
    spots: list[str] = []
    for markup, account, name in person_mentions(activity):
        if markup in text:
            user = (people or {}).get(account)
            spots.append(mention(user, name) if user else name)
            text = text.replace(markup, f"{_SPOT_OPEN}{len(spots) - 1}{_SPOT_CLOSE}", 1)
    plain = plain_text(text)
    for number, shown in enumerate(spots):
        plain = plain.replace(f"{_SPOT_OPEN}{number}{_SPOT_CLOSE}", shown)
    return plain, bool(of_bot)
