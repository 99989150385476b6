"""Teams conversation references and people, kept in okrbot's database.

The adapter (adapters.teams) maps and sends; this module gives it a :class:`ReferenceStore`
backed by storage.teams, each call in its own short transaction, and forgets a person on
erasure; bot.entry.platforms hands both to Teams as its :data:`GLUE`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.teams.platform import TeamsGlue
from adapters.teams.references import Conversation, ConversationKind, Person, Sighting
from bot.ports import Clock, Unavailable
from bot.runtime.units import transient
from storage import teams


class DatabaseReferenceStore:
    """Conversation references and people, per tenant, in okrbot's database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def remember(self, sighting: Sighting) -> None:
        conversation, person, now = sighting.conversation, sighting.person, self._clock.now()
        try:
            async with self._sessions() as session, session.begin():
                await teams.save_conversation(
                    session,
                    tenant_id=conversation.tenant_id,
                    conversation_id=conversation.conversation_id,
                    kind=conversation.kind.value,
                    service_url=conversation.service_url,
                    bot_id=conversation.bot_id,
                    bot_name=conversation.bot_name,
                    user_id=conversation.user_id or None,
                    now=now,
                )
                if person is not None:
                    await _save_person(session, person, now=now)
        except Exception as error:
            if not transient(error):
                raise
            raise Unavailable(f"the database is unavailable ({type(error).__name__})") from error

    async def conversation(self, tenant_id: str, conversation_id: str) -> Conversation | None:
        async with self._sessions() as session:
            row = await teams.find_conversation(
                session, tenant_id=tenant_id, conversation_id=conversation_id
            )
            return _conversation(row) if row is not None else None

    async def personal(self, tenant_id: str, user_id: str) -> Conversation | None:
        async with self._sessions() as session:
            row = await teams.find_personal(session, tenant_id=tenant_id, user_id=user_id)
            return _conversation(row) if row is not None else None

    async def any_conversation(self, tenant_id: str) -> Conversation | None:
        async with self._sessions() as session:
            row = await teams.find_any_conversation(session, tenant_id=tenant_id)
            return _conversation(row) if row is not None else None

    async def person(self, tenant_id: str, user_id: str) -> Person | None:
        async with self._sessions() as session:
            row = await teams.find_person(session, tenant_id=tenant_id, user_id=user_id)
            if row is None:
                return None
            return Person(
                tenant_id=row.tenant_id,
                user_id=row.user_id,
                account_id=row.account_id,
                service_url=row.service_url,
                timezone=row.timezone or "",
            )


async def _save_person(session: AsyncSession, person: Person, *, now: datetime) -> None:
    await teams.save_person(
        session,
        tenant_id=person.tenant_id,
        user_id=person.user_id,
        account_id=person.account_id,
        service_url=person.service_url,
        timezone=person.timezone or None,
        now=now,
    )


def _conversation(row: teams.TeamsConversation) -> Conversation:
    try:
        kind = ConversationKind(row.kind)
    except ValueError:
        kind = ConversationKind.CHANNEL
    return Conversation(
        tenant_id=row.tenant_id,
        conversation_id=row.conversation_id,
        kind=kind,
        service_url=row.service_url,
        bot_id=row.bot_id,
        bot_name=row.bot_name,
        user_id=row.user_id or "",
    )


async def forget(session: AsyncSession, user_id: str) -> tuple[dict[str, int], list[str]]:
    """Erase a person's Teams record and the link to their 1:1 chats; return the chats' ids."""
    chats = await teams.personal_chats(session, user_id=user_id)
    forgotten = await teams.forget_user(session, user_id=user_id)
    return {"Teams chats and contact details forgotten": forgotten}, chats


GLUE: TeamsGlue[async_sessionmaker[AsyncSession], AsyncSession] = TeamsGlue(
    references=DatabaseReferenceStore, forget=forget
)
"""Teams' store and erasure in okrbot's database, as ``bot.entry.platforms`` hands them on."""
