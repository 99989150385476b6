"""Erasing someone on Teams also forgets how to reach them."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.admin import erasure
from storage.teams import TeamsConversation, TeamsPerson
from tests.server.teams_rig import TeamsRig, aad


async def rows(rig: TeamsRig, model: type[object], *where: object) -> int:
    async with rig.server.okrbot.sessions() as session:
        statement = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await session.scalar(statement) or 0)


async def test_erase_user_forgets_their_chat_and_contact_details(sqlite_url: str) -> None:
    rig = await TeamsRig.start(sqlite_url)
    try:
        told = await rig.post(rig.in_personal_chat("story learning learned: x | team: Nope"))
        assert told.status == 200
        grace = aad("grace")
        assert await rows(rig, TeamsPerson, TeamsPerson.user_id == grace) == 1
        assert await rows(rig, TeamsConversation, TeamsConversation.user_id == grace) == 1

        async with rig.server.okrbot.sessions() as session, session.begin():
            counts = await erasure.erase_user(session, platform="teams", user_id=grace)
        assert counts["Teams chats and contact details forgotten"] == 1
        assert await rows(rig, TeamsPerson, TeamsPerson.user_id == grace) == 0
        assert await rows(rig, TeamsConversation, TeamsConversation.user_id == grace) == 0
    finally:
        await rig.close()
