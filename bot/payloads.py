"""Read what a caller sends within bounds, and keep only text a database can store.

The HTTP edges parse every body here before Bolt or botbuilder sees it: nesting deep enough to
exhaust the stack, or a string no person typed, is refused once with a reason, instead of
crashing a handler on every retry. The checks walk the parsed value with a list, not with
recursion, so they cannot overflow the stack themselves.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

# Slack's and Teams' deepest real payloads (rich text inside a modal's state) nest about a
# dozen levels; nothing either sends comes near this.
MAX_DEPTH = 32
# Slack cuts a message at 40,000 characters and Teams at about 28 KB; a longer string was not
# typed by anyone.
MAX_STRING = 50_000
# NUL is refused by PostgreSQL's text, and a lone UTF-16 surrogate cannot be encoded as UTF-8
# for either database; both are replaced by U+FFFD, the character that says "something
# unreadable stood here", so the rest of what the person typed is kept.
REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Unreadable(ValueError):
    """A body that can never be read, however often it is sent."""


def storable(text: str) -> str:
    """Return ``text`` with NUL and lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text) if _UNSTORABLE.search(text) else text


def read_json(text: str) -> Any:
    """Parse a JSON body within the bounds, with every string (keys too) made storable."""
    try:
        value = json.loads(text)
    except RecursionError:  # the stdlib parser recurses: this nesting is far past MAX_DEPTH
        raise Unreadable(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError, and integers of over 4,300 digits
        raise Unreadable("not JSON") from error
    return bounded(value)


def read_form(text: str) -> dict[str, str]:
    """Parse a form-encoded body within the bounds (a later field wins, as in Bolt)."""
    return bounded(dict(parse_qsl(text, keep_blank_values=True)))  # type: ignore[no-any-return]


def bounded(value: Any) -> Any:
    """Check depth and string lengths; return ``value`` with its strings made storable."""
    if isinstance(value, str):
        return _checked(value)
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise Unreadable(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, item in list(node.items()):
                clean = _checked(key)
                if clean is not key:
                    del node[key]
                node[clean] = _checked(item) if isinstance(item, str) else item
                if isinstance(item, dict | list):
                    pending.append((item, depth + 1))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = _checked(item)
                elif isinstance(item, dict | list):
                    pending.append((item, depth + 1))
    return value


def _checked(text: str) -> str:
    if len(text) > MAX_STRING:
        raise Unreadable(f"a string longer than {MAX_STRING:,} characters")
    return storable(text)
