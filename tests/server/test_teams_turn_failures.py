"""A reply inside a turn that Teams throttles or refuses, read alike on both hosts."""

from __future__ import annotations

import time

from tests.server.teams_rig import TeamsRig, personal_chat


async def test_a_throttled_reply_waits_as_long_as_teams_asks(teams_sqlite: TeamsRig) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    fake.throttled, fake.retry_after = 1, 2
    assert (await rig.post(rig.in_personal_chat("okr help"))).status == 200
    [refused] = fake.refused
    [reply] = fake.to(personal_chat("grace"))
    assert reply.at - refused.at >= 2.0  # the Retry-After, not a guess of its own


async def test_a_reply_teams_refuses_for_good_is_not_tried_again(teams_sqlite: TeamsRig) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    fake.forbidden.add(personal_chat("grace"))  # the bot was removed from the chat
    began = time.monotonic()
    assert (await rig.post(rig.in_personal_chat("okr help"))).status == 200
    assert time.monotonic() - began < 3.0  # no backing off for ten seconds on a 403
