"""The edge's plain shape checks and the pydantic models they stand in for give one verdict.

The edge asks :func:`adapters.slack.shapes.fits` of every body and builds the models only for a
body that does not fit, to name its problem: were the checks laxer than the models, a body the
models refuse would reach Bolt; were they stricter, a good body would cost the models' build.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import shape_models, shapes
from bot.events import Unreadable
from tests.fuzz.mutations import dumps, paths, spoiled

PAYLOADS = Path(__file__).parent / "payloads"
BODIES = {
    path.stem: json.loads(path.read_text(encoding="utf-8")) for path in PAYLOADS.glob("*.json")
}
FIELDS = sorted(
    {
        name
        for check in vars(shapes).values()
        if isinstance(check, shapes.Fields)
        for name in check.checks
    }
)
SAMPLES: list[Any] = [
    None,
    True,
    0,
    1.5,
    "",
    "U1",
    "workflow_step",
    "U1\n",
    "U 1",
    "é",
    "x" * 60,
    "x" * 61,
    [],
    [{}],
    [{"response_url": 5}],
    [{"action_id": "a"}],
    {},
    {"id": "U1"},
    {"id": 5},
    {"type": "view"},
    {"callback_id": "c", "type": "modal"},
    {"callback_id": "c", "type": "workflow_step"},
    {"user": {"id": "U1\n"}},
    {"message": {"user": []}},
]
VALUES = st.sampled_from(SAMPLES)
SAME = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def verdicts(body: dict[str, Any]) -> tuple[bool, bool]:
    """The checks' verdict and the models', on the body as the edge would have parsed it."""
    try:
        parsed = shapes.parse(dumps(body), "application/json")
    except Unreadable:
        return True, True  # never checked: the edge answers 400 before
    return shapes.fits(parsed), shape_models.problem(parsed) is None


@st.composite
def with_field(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with one of the fields the shapes name set, at its top or in any object of it."""
    body = json.loads(json.dumps(body))
    objects = [body] + [value for path in paths(body) if isinstance(value := _at(body, path), dict)]
    draw(st.sampled_from(objects))[draw(st.sampled_from(FIELDS))] = draw(VALUES)
    return body


def _at(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        body = body[key]
    return body


@SAME
@given(data=st.data(), name=st.sampled_from(sorted(BODIES)))
def test_spoiled_payloads_get_one_verdict(data: st.DataObject, name: str) -> None:
    body = data.draw(spoiled(BODIES[name]))
    fits, fine = verdicts(body)
    assert fits == fine, shape_models.problem(body)


@SAME
@given(data=st.data(), name=st.sampled_from(sorted(BODIES)))
def test_any_field_set_to_anything_gets_one_verdict(data: st.DataObject, name: str) -> None:
    body = data.draw(with_field(data.draw(with_field(BODIES[name]))))
    fits, fine = verdicts(body)
    assert fits == fine, shape_models.problem(body)


def test_every_field_in_every_place_gets_one_verdict() -> None:
    """Each field the shapes name, set to each sample value, in each kind of body and object."""
    base = {
        "event": {"type": "app_mention", "message": {}},
        "view": {"callback_id": "c", "type": "modal"},
        "authorizations": [{}],
    }
    kinds: list[dict[str, Any]] = [
        {"type": "event_callback", "event_id": "Ev1"},
        {"type": "block_actions", "actions": [{"action_id": "a"}]},
        {"type": "view_submission"},
        {"type": "shortcut", "callback_id": "c"},
        {"type": "interactive_message", "callback_id": "c", "actions": [{}]},
        {"type": "workflow_step_edit", "callback_id": "c", "workflow_step": {}},
        {"type": "other"},
    ]
    places = [(), ("event",), ("event", "message"), ("view",)]
    disagree = []
    for kind in kinds:
        assert verdicts({**base, **kind}) == (True, True), kind
        for place in places:
            for field in FIELDS:
                for value in SAMPLES:
                    body = json.loads(json.dumps({**base, **kind}))
                    _at(body, place)[field] = value
                    if shapes.fits(body) != (shape_models.problem(body) is None):
                        disagree.append((kind["type"], place, field, value))
    assert disagree == []


@pytest.mark.parametrize(
    ("body", "good"),
    [
        ({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}, True),
        ({"type": "event_callback", "event_id": "Ev1\n", "event": {"type": "x"}}, False),
        ({"type": "event_callback", "event_id": "E" * 61, "event": {"type": "x"}}, False),
        ({"type": "event_callback", "event_id": "Ev1", "event": {"type": None}}, False),
        ({"type": "event_callback", "event_id": "Ev1"}, False),
        ({"type": "event_callback", "event_id": "Ev1", "event": {"type": "x", "user": 1}}, False),
        ({"event": None}, False),
        ({"view": None}, False),
        ({"team": {"id": "T1"}, "user": "U1", "enterprise": None}, True),
        ({"team": ["T1"]}, False),
        ({"is_enterprise_install": "false"}, True),
        ({"is_enterprise_install": 0}, False),
        ({"type": "block_actions", "actions": []}, False),
        ({"type": "block_actions", "actions": [{"action_id": "a", "value": None}]}, True),
        ({"type": "view_submission", "view": {"callback_id": "c", "type": "modal"}}, True),
        ({"type": "view_submission", "view": {"callback_id": "c", "type": "workflow_step"}}, False),
        ({"type": "shortcut", "callback_id": "c", "trigger_id": 5}, False),
        ({"type": "interactive_message", "callback_id": "c", "actions": ["x"]}, False),
        ({"type": 5, "message": {"previous_message": {"item": {"user": {"id": 5}}}}}, False),
    ],
)
def test_known_bodies(body: dict[str, Any], good: bool) -> None:
    assert verdicts(body) == (good, good)


def test_a_body_that_fits_is_checked_without_pydantic() -> None:
    script = (
        "import sys\n"
        "from adapters.slack import shapes\n"
        f"assert shapes.check({BODIES['app_mention']!r}) is None\n"
        "print('pydantic' in sys.modules)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert ran.stdout.split() == ["False"]
