"""Teams' limits per tenant, honoured by the outbox: a burst into many conversations of one
tenant stays under the tenant's rate, and a 429 pauses that tenant, not the others."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from adapters.teams.references import Conversation, ConversationKind, Sighting
from bot.glue.teams_references import DatabaseReferenceStore
from bot.replies import Audience, Delivery, Reply
from bot.runtime import outbox
from storage import core
from storage.outbox import OutboxMessage, OutboxStatus
from tests.server.teams_rig import BOT, TeamsRig

TENANT_LIMIT = 50  # requests a second Teams allows one app in one tenant


async def chats(rig: TeamsRig, tenant: str, people: list[str]) -> None:
    """Each person has a 1:1 chat with the bot, and a private message waits for each."""
    okrbot = rig.server.okrbot
    store = DatabaseReferenceStore(okrbot.sessions, okrbot.clock)
    for person in people:
        chat = Conversation(
            tenant_id=tenant,
            conversation_id=f"a:1chat-{person}",
            kind=ConversationKind.PERSONAL,
            service_url=rig.fake.service_url,
            bot_id=BOT["id"],
            bot_name=BOT["name"],
            user_id=person,
        )
        await store.remember(Sighting(chat, None))
    async with okrbot.sessions() as session, session.begin():
        found = await core.get_or_create_workspace(
            session, platform="teams", external_id=tenant, now=okrbot.clock.now()
        )
        for person in people:
            delivery = Delivery(Audience.PERSON, person, Reply(f"hello {person}"), key=person)
            await outbox.enqueue(
                session, workspace_id=found.id, delivery=delivery, now=okrbot.clock.now()
            )


async def pending(rig: TeamsRig) -> int:
    async with rig.server.okrbot.sessions() as session:
        query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        return int(await session.scalar(query) or 0)


def busiest_second(moments: list[float]) -> int:
    """The most requests that fell within any one second."""
    moments = sorted(moments)
    most, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_burst_into_many_chats_of_one_tenant_stays_under_its_rate(
    teams_sqlite: TeamsRig,
) -> None:
    rig = teams_sqlite
    people = [f"person-{n:03d}" for n in range(150)]
    await chats(rig, "tenant-busy", people)

    assert await rig.deliver() == len(people)

    posts = rig.fake.posted()
    assert {c.conversation_id for c in posts} == {f"a:1chat-{p}" for p in people}
    assert busiest_second([c.at for c in posts]) <= TENANT_LIMIT
    assert posts[-1].at - posts[0].at >= (len(people) - TENANT_LIMIT) / TENANT_LIMIT


async def test_a_429_pauses_its_tenant_for_the_retry_after_while_others_go_on(
    teams_sqlite: TeamsRig,
) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    await chats(rig, "tenant-a", [f"a-{n}" for n in range(8)])
    await chats(rig, "tenant-b", [f"b-{n}" for n in range(8)])
    fake.throttled, fake.retry_after = 1, 3  # the first post is refused: wait 3 s

    await rig.deliver()
    [refused] = fake.refused
    paused = "a-" if refused.conversation_id.startswith("a:1chat-a-") else "b-"
    went_on = "b-" if paused == "a-" else "a-"
    # Those already under way when the 429 came may land; nothing of that tenant goes after.
    in_paused = [c for c in fake.posted() if c.conversation_id.startswith(f"a:1chat-{paused}")]
    assert len(in_paused) <= 1
    assert len([c for c in fake.posted() if f"chat-{went_on}" in c.conversation_id]) == 8
    waiting = await pending(rig)
    assert waiting >= 7

    assert await rig.deliver() == 0  # nothing of the paused tenant before the Retry-After
    rig.clock.advance(timedelta(seconds=3))
    assert await rig.deliver() == waiting
    assert len({c.conversation_id for c in fake.posted()}) == 16  # each got its message once
    assert len(fake.posted()) == 16
