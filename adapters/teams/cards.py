"""Neutral replies to Teams messages: plain text, or an Adaptive Card 1.4 when there is layout.

Nothing a person typed can become a mention or markup. Teams only makes a mention out of an
``<at>`` tag that an ``entities`` entry names, and okrbot never sends mention entities; every
text is escaped (:mod:`adapters.teams.markup`).

Teams refuses a message whose payload passes 40 KB counted in UTF-16 (413
MessageSizeTooBig). What the outbox delivers is first split by :func:`pages` into messages
that each fit, so nothing is left out; a reply shown at once in answer to an activity is one
message, kept under :data:`MAX_MESSAGE_BYTES` by shortening its longest texts, visibly (they
end with "…").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from adapters.pieces import piece_end
from adapters.teams.forms import ACTION_KEY, VALUE_KEY, form_elements
from adapters.teams.markup import (
    MAX_TITLE,
    Card,
    cut,
    escape_card,
    escape_message,
    execute,
    text_block,
)
from bot.replies import (
    Button,
    ButtonStyle,
    Field,
    Reply,
    Section,
    page_head,
    paginate,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
MAX_MESSAGE_BYTES = 40 * 1024 - 1024  # the documented 40 KB, less room for the envelope
MAX_SUMMARY = 250
WIDEST_MARK = " (9999/9999)"  # room kept in each page's heading for its number
SEPARATOR = len(", ".encode("utf-16-le"))  # between two elements of a card's body

_STYLES = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive"}


def needs_card(reply: Reply) -> bool:
    return bool(reply.sections or reply.buttons or reply.form)


def section_elements(section: Section) -> list[Card]:
    elements: list[Card] = []
    if section.title.strip():
        elements.append(
            text_block(
                cut(section.title, MAX_TITLE), weight="Bolder", size="Medium", spacing="Medium"
            )
        )
    if section.text.strip():
        elements.append(text_block(section.text))
    if section.fields:
        facts = [
            {"title": escape_card(f.label), "value": escape_card(f.value)} for f in section.fields
        ]
        elements.append({"type": "FactSet", "facts": facts})
    return elements


def button_actions(buttons: Sequence[Button]) -> list[Card]:
    """One Action.Execute per button, its verb the button's action; its data comes back."""
    return [
        execute(
            b.label,
            b.action_id,
            {ACTION_KEY: b.action_id, VALUE_KEY: b.value},
            _STYLES.get(b.style, ""),
        )
        for b in buttons
    ]


def card(reply: Reply, *, origin: str = "") -> Card:
    """The Adaptive Card for a reply: its text, sections, a form if any, and its buttons."""
    body: list[Card] = [text_block(reply.text)] if reply.text.strip() else []
    for section in reply.sections:
        body += section_elements(section)
    actions = button_actions(reply.buttons)
    if reply.form is not None:
        titled = reply.form.title.strip() != reply.text.strip()
        inputs, send = form_elements(reply.form, origin=origin, titled=titled)
        body += inputs
        actions.append(send)
    content: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def message(reply: Reply, *, origin: str = "") -> dict[str, Any]:
    """The message activity (as JSON) for one reply, within Teams' size limit."""
    if not needs_card(reply):
        return text_message(reply.text)
    return card_activity(reply, origin=origin)


def card_activity(reply: Reply, *, origin: str = "") -> dict[str, Any]:
    """The message activity carrying a reply's card (even a text alone), within the limit."""
    activity = card_message(reply, origin=origin)
    content = activity["attachments"][0]["content"]
    shorten(content, MAX_MESSAGE_BYTES - (size(activity) - size(content)))
    return activity


def card_message(reply: Reply, *, origin: str = "") -> dict[str, Any]:
    """The message activity carrying a reply's card, whatever its size."""
    return {
        "type": "message",
        # The notification preview: the card's own escaped text, never a name's raw markup.
        "summary": cut(escape_card(reply.text.replace("\n", " ")), MAX_SUMMARY),
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card(reply, origin=origin)}],
    }


def fits(reply: Reply) -> bool:
    """Whether one message holds the reply without shortening anything."""
    if not needs_card(reply):
        return size(_text_activity(reply.text)) <= MAX_MESSAGE_BYTES
    return size(card_message(reply)) <= MAX_MESSAGE_BYTES


def pages(reply: Reply) -> list[Reply]:
    """Split a reply one message cannot hold into messages that each can, in order.

    Each page stays under :data:`MAX_MESSAGE_BYTES` unshortened, and across the pages every
    text and fact of the reply appears once, in its order: page headings say "(2/3)", a
    section too long for a page goes on over the next, the buttons come last.
    """
    if fits(reply):
        return [reply]
    head, sections = page_head(reply)
    frame = Reply(head + WIDEST_MARK, buttons=reply.buttons, form=reply.form)
    budget = MAX_MESSAGE_BYTES - size(card_message(frame))
    return paginate(
        reply,
        head=head,
        units=[unit for section in sections for unit in _fitting(section, budget)],
        cost=_cost,
        budget=budget,
    )


def _cost(section: Section) -> int:
    """The bytes a section adds to a card's body."""
    return sum(size(element) + SEPARATOR for element in section_elements(section))


def _fitting(section: Section, budget: int) -> list[Section]:
    """The section itself if a page can hold it, else parts of it that each fit a page."""
    if _cost(section) <= budget:
        return [section]
    titled = _cost(Section(title=section.title))
    parts: list[Section] = []
    for piece in _pieces(section.text, budget, first=budget - titled):
        parts.append(Section(text=piece, title="" if parts else section.title))
    if not parts and titled:
        parts.append(Section(title=section.title))
    group: list[Field] = []
    for fact in section.fields:
        if group and _cost(Section(fields=(*group, fact))) > budget:
            parts.append(Section(fields=tuple(group)))
            group = []
        group.append(fact)
    if group:
        parts.append(Section(fields=tuple(group)))
    return parts


def _pieces(text: str, budget: int, *, first: int) -> list[str]:
    """Cut text into pieces whose TextBlocks fit ``first``, then ``budget``, bytes.

    Each piece is the longest that fits (a character takes two bytes at least, so only that
    many are tried), cut back to a line break or a space in its second half when there is one.
    """
    pieces: list[str] = []
    rest = text if text.strip() else ""
    while rest:
        room = first if not pieces else budget
        low, high = 1, min(len(rest), room // 2)
        while low < high:  # the longest prefix that fits
            middle = (low + high + 1) // 2
            if _cost(Section(text=rest[:middle])) <= room:
                low = middle
            else:
                high = middle - 1
        end = low if low == len(rest) else piece_end(rest, low, floor=low // 2)
        pieces.append(rest[:end])
        rest = rest[end:]
    return pieces


def text_message(text: str) -> dict[str, Any]:
    """A text-only message, its text cut (visibly) until the message fits."""
    while True:
        activity = _text_activity(text)
        excess = size(activity) - MAX_MESSAGE_BYTES
        if excess <= 0:
            return activity
        text = cut(text, len(text) - max(excess // 2 + 2, 64))  # a char is 2 bytes or more


def _text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "textFormat": "markdown", "text": escape_message(text)}


def size(payload: Any) -> int:
    """The payload's size as Teams counts it: JSON encoded as UTF-16."""
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-16-le"))


def _texts(content: Card) -> Iterator[tuple[Card, str]]:
    """Every shortenable text in a card: TextBlocks and fact values."""
    for element in content.get("body", []):
        if element.get("type") == "TextBlock":
            yield element, "text"
        for fact in element.get("facts", []):
            yield fact, "value"


def shorten(content: Card, budget: int) -> None:
    """Cut the longest texts of a card until it takes at most ``budget`` bytes."""
    for _ in range(500):
        excess = size(content) - budget
        if excess <= 0:
            return
        holder, key = max(_texts(content), key=lambda t: len(t[0][t[1]]))
        text = holder[key]
        holder[key] = cut(text, max(0, len(text) - max(excess // 2, 64)))
    raise ValueError("a card too large to shorten")  # only with thousands of inputs or buttons
