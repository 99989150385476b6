"""A retrospective opening in Teams asks the people of the channel, not the bots in its roster."""

from __future__ import annotations

from typing import Any

from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from tests.server.teams_rig import BOT, CHANNEL, PEOPLE, TENANT, TeamsRig
from tests.support.transcripts import ANY, shows

# Roster entries as the connector's paged members call gives them.
ADA = {**PEOPLE["ada"], "tenantId": TENANT, "userRole": "user"}
GRACE = {**PEOPLE["grace"], "tenantId": TENANT, "userRole": "user"}
GUEST = {
    "id": "29:1guest-account",
    "name": "Linus (Guest)",
    "aadObjectId": "00000000-0000-0000-0000-0000000guest",
    "tenantId": TENANT,
    "userRole": "guest",
}
POLLY = {"id": "28:polly-app-id", "name": "Polly", "tenantId": TENANT}  # another app's bot
ROLE_BOT = {"id": "29:1workflow", "name": "Workflows", "tenantId": TENANT, "userRole": "bot"}


def prompted(rig: TeamsRig) -> list[str]:
    """Whose 1:1 chat with okrbot got the retrospective's first question."""
    return sorted(
        c.conversation_id.removeprefix("a:1chat-with-")
        for c in rig.fake.posted()
        if shows(c.text(), cycle_texts.question_title, 1, ANY)
    )


def posted_in_channel(rig: TeamsRig) -> str:
    return "\n".join(c.text() for c in rig.fake.to(CHANNEL))


async def open_retro(rig: TeamsRig, roster: list[dict[str, Any]]) -> None:
    rig.fake.members[CHANNEL] = roster
    assert (await rig.post(rig.in_channel("okr team create Checkout"))).status == 200
    assert (await rig.post(rig.in_channel("/retro start"))).status == 200
    rig.fake.calls.clear()
    await rig.server.okrbot.tick()


async def test_an_opening_prompts_only_the_people_in_the_roster(teams: TeamsRig) -> None:
    await open_retro(teams, [BOT, POLLY, ADA, ROLE_BOT, GRACE, GUEST])

    assert prompted(teams) == sorted([ADA["id"], GRACE["id"], GUEST["id"]])
    opening = posted_in_channel(teams)
    assert shows(opening, cycle_texts.retro_opened_in_channel, "Checkout", ANY, ANY, 3)
    status = await teams.post(teams.in_personal_chat("retro status", who="ada"))
    assert status.status == 200
    assert shows(teams.fake.posted()[-1].text(), cycle_texts.retro_status_open, ANY, ANY, 0, 3)


async def test_a_roster_of_bots_has_nobody_to_ask(teams: TeamsRig) -> None:
    await open_retro(teams, [BOT, POLLY, ROLE_BOT])

    assert prompted(teams) == []
    [told] = teams.fake.posted()  # Ada started it: she is told, in her 1:1 chat
    assert told.conversation_id == f"a:1chat-with-{ADA['id']}"
    assert texts.nobody_to_ask("Checkout", to_lead=True) in told.text()
    assert posted_in_channel(teams) == ""
