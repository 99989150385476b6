"""Spoiled Teams activities (emulator mode), over real HTTP: never a 5xx, never a traceback,
and nothing stored from an activity that was refused."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.adapters.teams.payloads import HERE
from tests.fuzz.conftest import FUZZ, stored, tracebacks
from tests.fuzz.mutations import dumps, spoiled
from tests.server.teams_rig import Answer, TeamsRig

ACTIVITIES = sorted(path.stem for path in HERE.glob("*.json"))
_ids = count(1)


@pytest.fixture
async def team(teams: TeamsRig) -> TeamsRig:
    answer = await teams.post(teams.in_channel("okr team create Checkout"))
    assert answer.status == 200
    return teams


@FUZZ
@given(data=st.data(), name=st.sampled_from(ACTIVITIES))
async def test_spoiled_activities(team, caplog, data, name) -> None:
    activity: dict[str, Any] = team.activity(name, id=f"fuzz-{next(_ids)}")
    body = data.draw(spoiled(activity))
    caplog.clear()
    before = await stored(team.server)
    response = await team.client.post(
        "/api/messages", data=dumps(body), headers={"Content-Type": "application/json"}
    )
    answer = Answer(response.status, await response.text())
    # An invoke okrbot has no handler for is answered 501, as the Bot Framework SDKs answer it.
    unknown_invoke = body.get("type") == "invoke" and body.get("name") != "adaptiveCard/action"
    assert answer.status < 500 or (answer.status == 501 and unknown_invoke), answer.body
    assert not tracebacks(caplog)
    if answer.status >= 400:
        assert await stored(team.server) == before
