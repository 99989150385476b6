"""Read a conversation with okrbot as a person would, and check it against the texts it renders.

Assertions compare with what the domain's texts functions and constants render, not with
fragments of copy, so a change of wording is made once, in the texts module.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.replies import Outcome, Reply


def reply_text(reply: Reply) -> str:
    """Everything a person reads in one reply, as one string."""
    parts = [reply.text]
    for section in reply.sections:
        parts += [section.title, section.text]
        parts += [f"{f.label}: {f.value}" for f in section.fields]
    parts += [b.label for b in reply.buttons]
    if reply.form is not None:
        parts += [reply.form.title] + [i.label for i in reply.form.inputs]
    return "\n".join(p for p in parts if p)


def said(outcome: Outcome) -> str:
    """Everything a person reads in the replies to one event."""
    return "\n".join(reply_text(r) for r in outcome.replies)


class _Anything(str):
    """Stands for an argument whatever its format (``{count:,}`` too), in :func:`shows`."""

    def __format__(self, spec: str) -> str:
        return str(self)


ANY = _Anything("\x00any\x00")  # an argument to a texts function that may be whatever was said


def shows(transcript: str, text: str | Callable[..., str], *arguments: object) -> bool:
    """Whether ``transcript`` shows ``text`` (a texts constant, or a texts function rendered
    with ``arguments``), whole.

    White space is matched loosely, since a renderer may indent or wrap; an argument given as
    :data:`ANY` matches whatever stands in its place, for the parts a test cannot know in
    advance (a time, a count that depends on the clock).
    """
    rendered = text if isinstance(text, str) else text(*arguments)
    words = (re.escape(word) for word in rendered.split())
    pattern = r"\s+".join(words).replace(re.escape(ANY), r"[\s\S]+?")
    return re.search(pattern, transcript) is not None
