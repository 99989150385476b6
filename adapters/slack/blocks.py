"""Neutral replies to Block Kit messages, within Slack's limits and with all user text escaped.

Slack reads ``&``, ``<`` and ``>`` in mrkdwn as markup (``<!channel>``, ``<@U1>``), so every
piece of text the core hands over is escaped before it becomes mrkdwn: nothing anyone typed
can ping a channel or a person. ``plain_text`` objects are never parsed, so they stay as typed.

A message holds at most 50 blocks. What the outbox delivers is first split by :func:`pages`
into messages that each fit, so nothing is left out; a reply shown at once in answer to a
request (an ephemeral answer, the App Home) is one message, cut visibly by :func:`limit_blocks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from adapters.pieces import piece_end
from bot.replies import Button, ButtonStyle, Reply, Section, page_head, paginate

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
WIDEST_MARK = " (9999/9999)"  # room kept in each page's heading for its number

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape text for mrkdwn so that Slack shows it as typed and links or pings nothing."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo :func:`escape` (on text it escaped, cut only between entities)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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
        cut = piece_end(rest, _safe_cut(rest, limit), floor=limit // 2)
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
    """Sections carrying ``text`` escaped, split so that none passes 3000 characters.

    Blank text (white space alone, as Python reads it) has nothing to show: no section, which
    is also what a page heading makes of it.
    """
    if not text.strip():
        return []
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
    """Keep at most ``limit`` blocks; the last one then says how many were left out.

    Only a reply shown at once (an ephemeral answer, an ack, the App Home) is ever cut here:
    the outbox sends :func:`pages`, which always fit.
    """
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


def pages(reply: Reply) -> list[Reply]:
    """Split a reply one message cannot hold into messages that each can, in order.

    Each page has at most 50 blocks and every section text at most 3000 characters, and
    across the pages every block of the reply appears once, in its order: page headings say
    "(2/3)", a section too long for a page goes on over the next, the buttons come last.
    Continuation pages are new messages, not thread replies, so each page is a message of its
    own that the outbox delivers once, without waiting to learn where the first one landed.
    """
    if len(reply_blocks(reply)) <= MAX_MESSAGE_BLOCKS:
        return [reply]
    head, sections = page_head(reply)
    budget = MAX_MESSAGE_BLOCKS - len(text_blocks(head + WIDEST_MARK))
    return paginate(
        reply,
        head=head,
        units=[unit for section in sections for unit in _fitting(section, budget)],
        cost=lambda unit: len(section_blocks(unit)),
        budget=budget,
        tail=len(button_blocks(reply.buttons)),
    )


def _fitting(section: Section, budget: int) -> list[Section]:
    """The section itself if a page can hold it, else its parts a block or two at a time."""
    if len(section_blocks(section)) <= budget:
        return [section]
    parts = [
        Section(text=unescape(piece)) for piece in chunks(escape(section.text), MAX_SECTION_TEXT)
    ]
    if parts or section.title.strip():
        first = parts[0].text if parts else ""
        parts[:1] = [Section(text=first, title=section.title)]
    fields = section.fields
    return parts + [
        Section(fields=fields[start : start + MAX_FIELDS])
        for start in range(0, len(fields), MAX_FIELDS)
    ]


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


def home_view(replies: Sequence[Reply]) -> dict[str, Any]:
    """The App Home tab, built from what the core answered to ``app_home_opened``."""
    return {"type": "home", "blocks": limit_blocks(all_blocks(replies), MAX_VIEW_BLOCKS)}
