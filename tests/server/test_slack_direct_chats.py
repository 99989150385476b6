"""People's conversations with the app outlive the process: no second conversations.open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.admin import erasure
from bot.entry import platforms
from storage.direct_chats import DirectChat
from tests.server.rig import SlackRig
from tests.support.rows import count


async def open_retrospective(slack: SlackRig, channel: str, name: str, people: list[str]) -> None:
    slack.fake.members[channel] = people
    lead = people[0]
    await slack.command(f"/okr team create {name} tz=Europe/Berlin", channel=channel, user=lead)
    assert (await slack.command("/retro start", channel=channel, user=lead)).status == 200
    await slack.settle()
    assert (await slack.server.okrbot.catch_up()).performed == 1


def opened(slack: SlackRig) -> list[str]:
    return sorted(str(c.arguments["users"]) for c in slack.fake.to("conversations.open"))


def prompted(slack: SlackRig) -> list[str]:
    channels = (str(c.arguments["channel"]) for c in slack.fake.to("chat.postMessage"))
    return sorted(c for c in channels if c.startswith("D"))


async def test_a_restarted_server_opens_no_conversation_it_knew(database_url: str) -> None:
    async with await SlackRig.start(database_url) as first:
        await open_retrospective(first, "C1", "Checkout", ["U1", "U11", "U12"])
        assert opened(first) == ["U1", "U11", "U12"]
        assert await count(first, DirectChat) == 3

    # A new process on the same database, with nothing in memory, and Slack's counts from zero.
    async with await SlackRig.start(database_url) as second:
        await open_retrospective(second, "C2", "Payments", ["U11", "U2", "U12"])
        assert prompted(second) == ["DU11", "DU12", "DU2"]
        assert opened(second) == ["U2"]  # only the person never written to before


async def test_erasing_a_person_forgets_their_conversation(database_url: str) -> None:
    async with await SlackRig.start(database_url) as first:
        await open_retrospective(first, "C1", "Checkout", ["U1", "U11"])
        async with first.sessions() as session, session.begin():
            counts = await erasure.erase_user(
                session, platform="slack", user_id="U11", forget=platforms.forgetting("slack")
            )
        assert counts["direct conversation ids forgotten"] == 1
        assert await count(first, DirectChat, DirectChat.user_id == "U11") == 0
        assert await count(first, DirectChat) == 1

    async with await SlackRig.start(database_url) as second:
        await open_retrospective(second, "C2", "Payments", ["U1", "U11"])
        assert opened(second) == ["U11"]


async def test_a_restarted_server_reads_the_kept_conversations_once_not_once_a_person(
    database_url: str,
) -> None:
    people = [f"U{n}" for n in range(1, 13)]
    async with await SlackRig.start(database_url) as first:
        await open_retrospective(first, "C1", "Checkout", people)
        assert len(opened(first)) == 12

    async with await SlackRig.start(database_url) as second:
        reads: list[str] = []

        def before(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
            if sql.lstrip().startswith("SELECT") and "direct_chat" in sql:
                reads.append(sql)

        engine = second.server.okrbot.engine.sync_engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            await open_retrospective(second, "C2", "Payments", people)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        assert prompted(second) == sorted(f"D{person}" for person in people)
        assert opened(second) == []
        assert len(reads) == 1  # the workspace's kept conversations, for all twelve people
