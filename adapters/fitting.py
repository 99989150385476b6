"""Whether a parsed body fits its shape, in plain Python: the edges' check on every request.

The platforms' ``shapes`` modules state each shape as pydantic models (:mod:`adapters.shaping`),
which say what is wrong with a body. pydantic and the models cost about 10 MB and a tenth of
okrbot's start, for bodies that nearly always fit; so an edge first asks the question it asks of
every request, "does it fit?", with these checks, which apply the models' rules (strict types,
every other field allowed), and builds the models only to name the problem of a body that does
not fit. Each platform's tests hold its checks and its models to the same verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PRINTABLE = r"^[!-~]*$"
"""Printable ASCII, as every id a platform makes: an id goes into Web API URLs and headers."""
_PRINTABLE = re.compile(r"[!-~]*")  # whole-string match, as the models' pattern (no "\n" at end)

Check = Callable[[Any], bool]
"""Whether one value fits: pydantic's strict mode, where a string is a string, never a number."""


def text(value: Any) -> bool:
    return isinstance(value, str)


def flag(value: Any) -> bool:
    return isinstance(value, bool)


def mapping(value: Any) -> bool:
    """A JSON object (its keys are strings once parsed)."""
    return isinstance(value, dict)


def ident(longest: int) -> Check:
    """An id: printable ASCII, at most ``longest`` characters."""

    def fits(value: Any) -> bool:
        return (
            isinstance(value, str)
            and len(value) <= longest
            and _PRINTABLE.fullmatch(value) is not None
        )

    return fits


def optional(check: Check) -> Check:
    """``check``, or null."""
    return lambda value: value is None or check(value)


def either(*checks: Check) -> Check:
    return lambda value: any(check(value) for check in checks)


def items(check: Check, *, at_least: int = 0) -> Check:
    """A JSON array of at least ``at_least`` items, each fitting ``check``."""
    return lambda value: (
        isinstance(value, list) and len(value) >= at_least and all(map(check, value))
    )


@dataclass(frozen=True)
class Fields:
    """An object with these fields: each there must fit its check, any other field is allowed."""

    checks: Mapping[str, Check]
    required: frozenset[str] = frozenset()

    def __call__(self, value: Any) -> bool:
        if not isinstance(value, dict) or not self.required <= value.keys():
            return False
        return all(check(value[name]) for name, check in self.checks.items() if name in value)

    def extended(self, *, required: tuple[str, ...] = (), **checks: Check) -> Fields:
        """These fields and more (a subclass of the model this mirrors)."""
        return Fields({**self.checks, **checks}, self.required | frozenset(required))


def later(shape: Callable[[], Check]) -> Check:
    """A check of a shape defined further down (a shape that holds itself)."""
    return lambda value: shape()(value)
