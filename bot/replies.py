"""The neutral reply model: what the core says, before an adapter renders it for a platform.

All text here is plain text as a person should read it. Renderers escape it for their markup,
so nothing a user typed can become a live mention or formatting on any platform.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Refusal(Exception):
    """Raised by the core to turn a request down with a private explanation.

    The unit of work rolls back everything the event did, so a refused request changes nothing.
    ``form_errors`` maps form input names to messages shown next to those inputs.
    """

    def __init__(self, message: str, *, form_errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.form_errors: Mapping[str, str] = dict(form_errors or {})


class Visibility(StrEnum):
    PRIVATE = "private"  # only the person who acted sees it
    CHANNEL = "channel"  # everyone in the conversation sees it


class InputKind(StrEnum):
    LINE = "line"
    PARAGRAPH = "paragraph"
    CHOICE = "choice"


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


class Audience(StrEnum):
    CHANNEL = "channel"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Section:
    text: str = ""
    title: str = ""
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FormInput:
    name: str
    label: str
    kind: InputKind = InputKind.LINE
    required: bool = True
    hint: str = ""
    initial: str = ""
    max_length: int = 3000
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    """A form the platform shows (a Slack modal, a Teams card, a hint on the console)."""

    form_id: str
    title: str
    inputs: tuple[FormInput, ...]
    submit_label: str = "Save"
    context: str = ""  # opaque value handed back with the submission


@dataclass(frozen=True, slots=True)
class Reply:
    """One message. ``text`` is its summary line, also used where rich layout is unavailable."""

    text: str
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    visibility: Visibility = Visibility.PRIVATE
    form: Form | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message for somewhere other than the conversation the event came from.

    ``key`` is unique within a workspace: the same key is never delivered twice.
    """

    audience: Audience
    target_id: str
    reply: Reply
    key: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything the core answers to one event."""

    replies: tuple[Reply, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    form_errors: Mapping[str, str] = field(default_factory=dict)

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            replies=self.replies + other.replies,
            deliveries=self.deliveries + other.deliveries,
            form_errors={**self.form_errors, **other.form_errors},
        )


def private(text: str, *sections: Section, buttons: Sequence[Button] = ()) -> Outcome:
    """Answer only the person who acted."""
    return Outcome(replies=(Reply(text, tuple(sections), tuple(buttons)),))


def public(text: str, *sections: Section, buttons: Sequence[Button] = ()) -> Outcome:
    """Answer in the conversation, for everyone in it."""
    reply = Reply(text, tuple(sections), tuple(buttons), visibility=Visibility.CHANNEL)
    return Outcome(replies=(reply,))


PAGE_HEAD = 300  # a longer text, or one of several lines, does not head every page


def page_head(reply: Reply) -> tuple[str, tuple[Section, ...]]:
    """The line that heads each page of a long reply, and the sections its pages share out.

    A short one-line text heads every page as it is. A longer one is kept whole at the top of
    the first page, and only its first line, shortened, heads the pages.
    """
    text = reply.text.strip()
    if len(text) <= PAGE_HEAD and "\n" not in text:
        return text, reply.sections
    first = text.split("\n", 1)[0].strip()
    head = first if len(first) <= PAGE_HEAD else first[: PAGE_HEAD - 1].rstrip() + "…"
    return head, (Section(text=reply.text), *reply.sections)


def paginate(
    reply: Reply,
    *,
    head: str,
    units: Sequence[Section],
    cost: Callable[[Section], int],
    budget: int,
    tail: int = 0,
) -> list[Reply]:
    """Share ``units`` out over as few pages as ``budget`` allows, in order, and number them.

    Each unit must fit a page on its own. Every page is headed "``head`` (2/3)"; the reply's
    buttons (costing ``tail``) and form come on the last page.
    """
    pages: list[list[Section]] = [[]]
    used = 0
    for unit in units:
        spent = cost(unit)
        if pages[-1] and used + spent > budget:
            pages.append([])
            used = 0
        pages[-1].append(unit)
        used += spent
    if used + tail > budget:
        pages.append([])
    total = len(pages)
    return [
        Reply(
            f"{head} ({number}/{total})".strip(),
            tuple(sections),
            reply.buttons if number == total else (),
            reply.visibility,
            reply.form if number == total else None,
        )
        for number, sections in enumerate(pages, 1)
    ]


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """Turn a reply into plain JSON-ready data (for the outbox)."""
    return {
        "text": reply.text,
        "visibility": reply.visibility.value,
        "sections": [
            {
                "text": s.text,
                "title": s.title,
                "fields": [[f.label, f.value] for f in s.fields],
            }
            for s in reply.sections
        ],
        "buttons": [[b.label, b.action_id, b.value, b.style.value] for b in reply.buttons],
    }


def reply_from_dict(data: Mapping[str, Any]) -> Reply:
    """Rebuild a reply stored by :func:`reply_to_dict`."""
    return Reply(
        text=str(data["text"]),
        visibility=Visibility(data.get("visibility", Visibility.CHANNEL)),
        sections=tuple(
            Section(
                text=s.get("text", ""),
                title=s.get("title", ""),
                fields=tuple(Field(label, value) for label, value in s.get("fields", [])),
            )
            for s in data.get("sections", [])
        ),
        buttons=tuple(
            Button(label, action_id, value, ButtonStyle(style))
            for label, action_id, value, style in data.get("buttons", [])
        ),
    )
