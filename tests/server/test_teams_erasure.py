"""Erasing someone on Teams also forgets how to reach them."""

from __future__ import annotations

from bot.admin import erasure
from bot.entry import platforms
from storage.teams import TeamsConversation, TeamsPerson
from tests.server.teams_rig import TeamsRig, aad
from tests.support.rows import count


async def test_erase_user_forgets_their_chat_and_contact_details(sqlite_url: str) -> None:
    rig = await TeamsRig.start(sqlite_url)
    try:
        told = await rig.post(rig.in_personal_chat("story learning learned: x | team: Nope"))
        assert told.status == 200
        grace = aad("grace")
        assert await count(rig, TeamsPerson, TeamsPerson.user_id == grace) == 1
        assert await count(rig, TeamsConversation, TeamsConversation.user_id == grace) == 1

        async with rig.server.okrbot.sessions() as session, session.begin():
            counts = await erasure.erase_user(
                session, platform="teams", user_id=grace, forget=platforms.forgetting("teams")
            )
        assert counts["Teams chats and contact details forgotten"] == 1
        assert await count(rig, TeamsPerson, TeamsPerson.user_id == grace) == 0
        assert await count(rig, TeamsConversation, TeamsConversation.user_id == grace) == 0
    finally:
        await rig.close()
