"""Answering anonymously in a Teams 1:1 chat, over real HTTP: nothing stored or logged names who."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retrospectives.cycles import texts as cycle_texts
from storage.ledger import ProcessedEvent
from storage.retro import AnonymousAnswer
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, aad, personal_chat
from tests.support.rows import count


async def open_retro(rig: TeamsRig) -> None:
    """Ada makes a Checkout team of Ada and Grace and starts its retrospective."""
    rig.fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    assert (await rig.post(rig.in_channel("okr team create Checkout"))).status == 200
    assert (await rig.post(rig.in_personal_chat("okr help"))).status == 200  # her 1:1 chat
    assert (await rig.post(rig.in_channel("/retro start"))).status == 200
    report = await rig.server.okrbot.tick()
    assert report.performed == 1
    assert cycle_texts.question_title(1, 5) in rig.fake.to(personal_chat("grace"))[-1].text()


@pytest.mark.parametrize("secret_key", ["", "a-deployment-secret-key"])
async def test_the_ledger_names_neither_the_person_nor_their_chat(
    database_url: str, secret_key: str
) -> None:
    rig = await TeamsRig.start(database_url, secret_key=secret_key)
    try:
        await open_retro(rig)
        assert (await rig.post(rig.in_personal_chat("anonymous"))).status == 200
        answer = rig.in_personal_chat("Guest checkout was my idea and it failed")
        assert (await rig.post(answer)).status == 200
        assert await count(rig, AnonymousAnswer) == 1

        retried = await rig.post(answer)  # the Bot Connector sends the same activity again

        assert retried.status == 200
        assert await count(rig, AnonymousAnswer) == 1
        async with rig.server.okrbot.sessions() as session:
            ids = list(await session.scalars(select(ProcessedEvent.event_id)))
        assert len(ids) >= 4
        grace = PEOPLE["grace"]
        naming = [grace["id"], aad("grace"), personal_chat("grace"), answer["id"], "grace"]
        assert [i for i in ids if any(name in i for name in naming)] == []
    finally:
        await rig.close()
