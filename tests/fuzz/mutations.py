"""Hypothesis strategies that spoil real payloads: fields dropped, wrong types, nulls, deep
nesting, huge strings and odd unicode, one to three at a time."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from bot.events import MAX_DEPTH, MAX_STRING

# Where Slack and Teams tell okrbot how to answer: a spoiled one is not what a person sends.
FROZEN = frozenset({"response_url", "response_urls", "serviceUrl"})

ODD_TEXT = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "lone \udfff surrogate",
        "\u202eevil",
        "\ufeff",
        "e\u0301",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎉",
        "",
        "   ",
        "<!channel> <@U1> &amp;",
        "'; DROP TABLE team; --",
        "story learning learned: \x00 | hypothesis: \ud83d",
    ]
) | st.text(max_size=12)


# Stands for nesting too deep for json.dumps itself; dumps() writes it out as brackets.
TOO_DEEP = "\x01nested 5000 levels\x01"


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


def dumps(body: Any) -> str:
    """JSON text of a spoiled payload, with TOO_DEEP written out as 5,000 nested arrays."""
    return json.dumps(body).replace(json.dumps(TOO_DEEP), "[" * 5000 + "]" * 5000)


WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just(""),
    st.just([]),
    st.just({}),
    st.just("x"),
    st.lists(st.integers(), max_size=3),
    st.builds(nested, st.sampled_from([MAX_DEPTH - 4, MAX_DEPTH + 1])),
    st.just(TOO_DEEP),
    st.just("y" * (MAX_STRING + 1)),
    st.just("z" * 5000),
)


HUGE = st.sampled_from(["y" * (MAX_STRING + 1), "z" * 5000])


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON value, keys of FROZEN excepted."""
    found: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        if key in FROZEN:
            continue
        found.append((*prefix, key))
        if isinstance(value, dict | list) and value:
            found.extend(paths(value, (*prefix, key)))
    return found


@st.composite
def spoiled(draw: st.DrawFn, payload: Any, *, strings_only: bool = False) -> Any:
    """A copy of ``payload`` with one to three of its values spoiled."""
    result = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 3))):
        where = paths(result)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = result
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        old = parent[last]
        how = draw(st.sampled_from(["drop", "wrong", "odd", "splice"]))
        if how == "drop":
            if isinstance(parent, dict):
                del parent[last]
            else:
                parent.pop(last)
        elif how == "wrong":
            parent[last] = draw(HUGE if strings_only else WRONG)
        elif how == "splice" and isinstance(old, str):
            cut = draw(st.integers(0, len(old)))
            parent[last] = old[:cut] + draw(ODD_TEXT) + old[cut:]
        else:
            parent[last] = draw(ODD_TEXT)
    return result
