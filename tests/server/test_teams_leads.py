"""In Teams, a lead is added by @mentioning them; the bot asks Teams who that is."""

from __future__ import annotations

from sqlalchemy import select

from storage.core import Team
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig, aad


def mentioning(rig: TeamsRig, who: str, text: str) -> dict[str, object]:
    """``@okrbot <text> @<who>`` in the channel, with both mentions as Teams sends them."""
    person = PEOPLE[who]
    payload = rig.in_channel(f"{text} <at>{person['name']}</at>")
    payload["entities"] = [
        *payload["entities"],
        {
            "type": "mention",
            "text": f"<at>{person['name']}</at>",
            "mentioned": {"id": person["id"], "name": person["name"]},
        },
    ]
    return payload


async def leads(rig: TeamsRig) -> list[str]:
    async with rig.server.okrbot.sessions() as session:
        team = await session.scalar(select(Team))
        return sorted(lead.user_id for lead in team.leads)


async def test_a_mentioned_person_becomes_a_lead_by_their_entra_id(teams: TeamsRig) -> None:
    teams.fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]
    assert (await teams.post(teams.in_channel("okr team create Checkout"))).status == 200
    added = await teams.post(mentioning(teams, "grace", "okr team lead"))
    assert added.status == 200
    assert await leads(teams) == sorted([aad("ada"), aad("grace")])


async def test_someone_teams_cannot_find_is_not_made_a_lead(teams: TeamsRig) -> None:
    teams.fake.members[CHANNEL] = [PEOPLE["ada"]]  # Grace is not a member Teams knows of
    await teams.post(teams.in_channel("okr team create Checkout"))
    await teams.post(mentioning(teams, "grace", "okr team lead"))
    assert await leads(teams) == [aad("ada")]
