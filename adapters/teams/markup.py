"""Teams' markup: text escaped for messages and cards, cut visibly, and the card's parts.

Nothing a person typed can become a mention or markup. Text messages are rendered by Teams as
HTML and markdown, so ``&``, ``<`` and ``>`` go out as HTML entities and markdown punctuation
as numeric character references, which markdown never reads as syntax. Card TextBlocks render
markdown but no HTML, so there markdown punctuation is backslash-escaped and a tag-like ``<``
is followed by an invisible word joiner.
"""

from __future__ import annotations

import re
from typing import Any

MAX_TITLE = 200
MAX_INPUT = 5000
ELLIPSIS = "…"
Card = dict[str, Any]
_MESSAGE_SPECIALS = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN = "\\`*_~#[]|"
_MARKDOWN_CHARS = re.compile(r"([\\`*_~#\[\]|])")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!])")
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.MULTILINE)


def escape_message(text: str) -> str:
    """Escape text for a Teams text message: HTML specials and markdown punctuation."""
    escaped = "".join(_MESSAGE_SPECIALS.get(c, c) for c in text)
    escaped = "".join(f"&#{ord(c)};" if c in _MARKDOWN else c for c in escaped)
    escaped = _LIST_MARKER.sub(lambda m: m.group(1) + _numeric(m.group(2)) + m.group(3), escaped)
    return escaped.replace("\n", "\n\n")  # a single line break is lost in Teams markdown


def _numeric(marker: str) -> str:
    return "".join(f"&#{ord(c)};" if not c.isdigit() else c for c in marker)


def escape_card(text: str) -> str:
    """Escape text for an Adaptive Card TextBlock (markdown, no HTML).

    A word joiner (invisible) after a ``<`` that opens something tag-like keeps a typed
    ``<at>`` from ever reading as a tag, whatever a client makes of card text.
    """
    escaped = _TAG_OPEN.sub("<\u2060", _MARKDOWN_CHARS.sub(r"\\\1", text))
    return _LIST_MARKER.sub(lambda m: m.group(1) + "\\" + m.group(2) + m.group(3), escaped)


def cut(text: str, limit: int) -> str:
    """Shorten text to ``limit`` characters, visibly."""
    if len(text) <= limit:
        return text
    shortened = text[: max(0, limit - len(ELLIPSIS))]
    return shortened[:-1] + ELLIPSIS if shortened.endswith("\\") else shortened + ELLIPSIS


def text_block(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": escape_card(text), "wrap": True, **style}


def execute(title: str, verb: str, data: dict[str, str], style: str = "") -> Card:
    """A Universal Action: Teams sends it to the bot as an ``adaptiveCard/action`` invoke,
    whose answer is the card as it should look now."""
    action: Card = {
        "type": "Action.Execute",
        "title": cut(title, MAX_TITLE),
        "verb": verb,
        "data": data,
    }
    if style:
        action["style"] = style
    return action
