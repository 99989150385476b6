"""Neutral replies to Block Kit messages, within Slack's limits and with all user text escaped.

Slack reads ``&``, ``<`` and ``>`` in mrkdwn as markup (``<!channel>``, ``<@U1>``), so every
piece of text the core hands over is escaped before it becomes mrkdwn: nothing anyone typed
can ping a channel or a person. ``plain_text`` objects are never parsed, so they stay as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.replies import Button, ButtonStyle, Reply, Section

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTONS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_TEXT = 3000
ELLIPSIS = "…"

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape text for mrkdwn so that Slack shows it as typed and links or pings nothing."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_cut(text: str, limit: int) -> int:
    """The largest cut at or before ``limit`` that does not split an ``&…;`` entity."""
    if len(text) <= limit:
        return len(text)
    amp = text.rfind("&", max(0, limit - 5), limit)
    if amp != -1 and text.find(";", amp) >= limit:
        return amp
    return limit


def truncate(text: str, limit: int) -> str:
    """Shorten escaped text to ``limit`` characters, visibly (it ends with "…")."""
    if len(text) <= limit:
        return text
    return text[: _safe_cut(text, limit - len(ELLIPSIS))] + ELLIPSIS


def plain_truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def chunks(text: str, limit: int) -> list[str]:
    """Split escaped text into pieces of at most ``limit``, at a line break or space if any."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _safe_cut(rest, limit)
        for separator in ("\n", " "):
            at = rest.rfind(separator, limit // 2, cut)
            if at > 0:
                cut = at + 1
                break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": plain_truncate(text, limit) or " ", "emoji": True}


def text_blocks(text: str) -> list[Block]:
    """Sections carrying ``text`` escaped, split so that none passes 3000 characters."""
    return [{"type": "section", "text": mrkdwn(p)} for p in chunks(escape(text), MAX_SECTION_TEXT)]


def section_blocks(section: Section) -> list[Block]:
    blocks: list[Block] = []
    if section.title.strip():
        blocks.append({"type": "header", "text": plain(section.title, MAX_HEADER)})
    blocks += text_blocks(section.text)
    fields = [
        mrkdwn(truncate(f"*{escape(f.label)}*\n{escape(f.value)}", MAX_FIELD_TEXT))
        for f in section.fields
    ]
    for start in range(0, len(fields), MAX_FIELDS):
        blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})
    return blocks


def button_blocks(buttons: Sequence[Button]) -> list[Block]:
    """Actions blocks; a repeated action id gets ``#2``, ``#3`` … since Slack wants them unique."""
    seen: dict[str, int] = {}
    elements: list[Block] = []
    for button in buttons:
        seen[button.action_id] = seen.get(button.action_id, 0) + 1
        count = seen[button.action_id]
        element: Block = {
            "type": "button",
            "text": plain(button.label, MAX_BUTTON_LABEL),
            "action_id": button.action_id if count == 1 else f"{button.action_id}#{count}",
        }
        if button.value:
            element["value"] = button.value[:MAX_BUTTON_VALUE]
        if button.style is not ButtonStyle.DEFAULT:
            element["style"] = button.style.value
        elements.append(element)
    return [
        {"type": "actions", "elements": elements[start : start + MAX_BUTTONS]}
        for start in range(0, len(elements), MAX_BUTTONS)
    ]


def limit_blocks(blocks: list[Block], limit: int) -> list[Block]:
    """Keep at most ``limit`` blocks; the last one then says how many were left out."""
    if len(blocks) <= limit:
        return blocks
    left_out = len(blocks) - (limit - 1)
    note = {"type": "context", "elements": [mrkdwn(f"{ELLIPSIS}and {left_out} more")]}
    return [*blocks[: limit - 1], note]


def reply_blocks(reply: Reply) -> list[Block]:
    """Every block of one reply, before any limit on their number."""
    blocks = text_blocks(reply.text)
    for section in reply.sections:
        blocks += section_blocks(section)
    return blocks + button_blocks(reply.buttons)


def message(reply: Reply) -> dict[str, Any]:
    """One chat message: Block Kit blocks and the escaped fallback text for notifications."""
    return {
        "text": truncate(escape(reply.text), MAX_FALLBACK_TEXT),
        "blocks": limit_blocks(reply_blocks(reply), MAX_MESSAGE_BLOCKS),
    }


def all_blocks(replies: Iterable[Reply]) -> list[Block]:
    """The blocks of several replies, separated by dividers, before any limit."""
    blocks: list[Block] = []
    for reply in replies:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += reply_blocks(reply)
    return blocks


def combined(replies: Sequence[Reply]) -> dict[str, Any]:
    """Several replies as one message (an ack answers only once)."""
    return {
        "text": truncate(escape("\n".join(r.text for r in replies)), MAX_FALLBACK_TEXT),
        "blocks": limit_blocks(all_blocks(replies), MAX_MESSAGE_BLOCKS),
    }


def home_view(replies: Sequence[Reply]) -> dict[str, Any]:
    """The App Home tab, built from what the core answered to ``app_home_opened``."""
    return {"type": "home", "blocks": limit_blocks(all_blocks(replies), MAX_VIEW_BLOCKS)}
