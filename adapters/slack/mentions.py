"""Slack's mentions in a message: the bot's removed, people's written in the core's form.

Slack sends a mention of a person as ``<@U123>`` or ``<@U123|name>``; text a person typed
arrives with ``<`` and ``>`` escaped, so only Slack's own markup reads as a mention here.
"""

from __future__ import annotations

import re

from bot.events import mention

_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>")
_PERSON = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")


def strip_bot_mention(text: str, bot_user: str) -> str:
    """Remove mentions of the bot (``<@Ubot>``, ``<@Ubot|okrbot>``) from a message."""
    if bot_user:
        return re.sub(rf"<@{re.escape(bot_user)}(?:\|[^>]*)?>", "", text).strip()
    return _LEADING_MENTION.sub("", text).strip()


def in_core_form(text: str) -> str:
    """Write each mention of a person as the core reads mentions (:func:`bot.events.mention`)."""
    return _PERSON.sub(lambda m: mention(m.group(1), m.group(2) or ""), text)
