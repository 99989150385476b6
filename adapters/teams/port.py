"""Teams' ChatPort: messages into stored conversations and 1:1 chats, for the outbox.

Messages to one conversation are spaced so that no more than about seven a second go out, as
Teams asks, and all requests into one tenant stay under its own limit, pausing together after
a 429 (:mod:`adapters.teams.throttle`). The connector cannot be asked whether a message went
out, so after a crash the outbox may repeat the sends that were then in flight.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationParameters

from adapters.teams import cards
from adapters.teams.client import Connectors
from adapters.teams.directory import Accounts
from adapters.teams.references import (
    Conversation,
    ConversationKind,
    Person,
    ReferenceStore,
    Sighting,
)
from bot.clock import Pacer
from bot.ports import DeliveryFailed
from bot.replies import Reply

SENDS_PER_SECOND = 7


class TeamsChatPort:
    """Send replies into stored conversations, and to people in their 1:1 chat with the bot."""

    def __init__(
        self,
        connectors: Connectors,
        store: ReferenceStore,
        pacer: Pacer | None = None,
        accounts: Accounts | None = None,
    ) -> None:
        self._connectors = connectors
        self._store = store
        self._pacer = pacer or Pacer(1 / SENDS_PER_SECOND)
        self._accounts = accounts or Accounts()

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        found = await self._store.conversation(workspace_id, channel_id)
        if found is None:
            raise DeliveryFailed(f"okrbot has never been in conversation {channel_id}")
        return await self.post(found, cards.message(reply))

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        return await self.post_direct(workspace_id, user_id, cards.message(reply))

    async def post(self, conversation: Conversation, message: dict[str, Any]) -> str:
        """Post a message (rendered already) into a known conversation; return its id."""
        await self._pacer.wait(conversation.conversation_id)
        activity = Activity().deserialize(
            {
                **message,
                "from": {"id": conversation.bot_id, "name": conversation.bot_name},
                "conversation": {"id": conversation.conversation_id},
            }
        )
        answer = await self._connectors.call(
            conversation.service_url,
            "send_to_conversation",
            lambda c: c.send_to_conversation(conversation.conversation_id, activity),
            tenant=conversation.tenant_id,
        )
        return str(getattr(answer, "id", "") or "")

    async def post_direct(
        self, tenant_id: str, user_id: str, message: dict[str, Any], *, known: Person | None = None
    ) -> str:
        """Post to someone's 1:1 chat with the bot, opening it first if there is none yet."""
        chat = await self._store.personal(tenant_id, user_id)
        if chat is None:
            chat = await self._open_chat(tenant_id, user_id, known)
        return await self.post(chat, message)

    async def _open_chat(self, tenant_id: str, user_id: str, known: Person | None) -> Conversation:
        person = (
            known
            or await self._store.person(tenant_id, user_id)
            or self._accounts.find(tenant_id, user_id)
        )
        anywhere = await self._store.any_conversation(tenant_id)
        service_url = (person.service_url if person else "") or (
            anywhere.service_url if anywhere else ""
        )
        if anywhere is None or not service_url:
            raise DeliveryFailed(
                f"okrbot has not been used in Teams tenant {tenant_id} yet, "
                f"so it cannot open a chat with {user_id}"
            )
        # Teams accepts the Entra object id here for people who have the app (personal scope).
        member = person.account_id if person and person.account_id else user_id
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=anywhere.bot_id, name=anywhere.bot_name),
            members=[ChannelAccount(id=member)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )
        created = await self._connectors.call(
            service_url,
            "create_conversation",
            lambda c: c.create_conversation(parameters),
            tenant=tenant_id,
        )
        conversation_id = str(getattr(created, "id", "") or "")
        if not conversation_id:
            raise DeliveryFailed(f"Teams opened no chat with {user_id}")
        chat = Conversation(
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            kind=ConversationKind.PERSONAL,
            service_url=service_url,
            bot_id=anywhere.bot_id,
            bot_name=anywhere.bot_name,
            user_id=user_id,
        )
        await self._store.remember(Sighting(chat, None))
        return chat
