"""The Bot Connector out: a ChatPort for the outbox and a Directory for the scheduler.

Every message goes to the conversation's own ``serviceUrl`` (stored with its reference) through
botbuilder's ConnectorClient, with the bot's credentials when ``MICROSOFT_APP_ID`` is set.
Throttling (429, and 412 or 503 with a ``Retry-After``) becomes :class:`bot.ports.RateLimited`,
other 5xx, 408 and a lost connection :class:`bot.ports.RetryLater`; 401 (the bot's credentials)
becomes :class:`bot.ports.NotAuthorized`, 403 and 404 (the bot was removed, the chat is gone)
:class:`bot.ports.DeliveryFailed`. Messages to one conversation are spaced so that no more than
about seven a second go out, as Teams asks. The connector cannot be asked whether a message
went out, so after a crash the outbox may repeat the sends that were then in flight.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)

from adapters.teams import cards, identity
from adapters.teams.references import (
    Conversation,
    ConversationKind,
    Person,
    ReferenceStore,
    Sighting,
)
from bot.clock import Pacer
from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater
from bot.replies import Reply

log = logging.getLogger(__name__)

SENDS_PER_SECOND = 7
MEMBERS_PAGE = 100
TIMEOUT = 10
IN_TURN_PATIENCE = 10.0
"""Seconds a reply inside a turn may wait out throttling: Teams waits 15 for the turn's answer."""
IN_TURN_CALL = 4.0
"""Seconds one try at a reply inside a turn may take."""
T = TypeVar("T")


def retry_after(headers: Any) -> float | None:
    """Read ``Retry-After`` (seconds) from a connector answer's headers."""
    for name, value in dict(headers or {}).items():
        if str(name).lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def classify(error: Exception, call: str) -> Exception:
    """Turn a connector failure into RetryLater (try again) or DeliveryFailed (give up)."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if not isinstance(status, int):  # no answer at all: the network, a timeout
        return RetryLater(f"{call}: {type(error).__name__}")
    wait = retry_after(getattr(response, "headers", None))
    if status == 429 or (status in (412, 503) and wait is not None):
        return RateLimited(f"{call}: throttled ({status})", wait)
    if status >= 500 or status == 408:
        return RetryLater(f"{call}: {status}")
    if status == 401:
        return NotAuthorized(f"{call}: {status}")
    return DeliveryFailed(f"{call}: {status}")


async def patiently(
    work: Callable[[], Awaitable[T]],
    *,
    patience: float | None = None,
    each: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Make a connector call, waiting out throttling and passing trouble for ``patience`` s.

    Each try is bounded by ``each`` seconds too: a ``serviceUrl`` that takes the request and
    never answers would otherwise hold the turn past the connector's own wait for it.
    """
    patience = IN_TURN_PATIENCE if patience is None else patience
    each = IN_TURN_CALL if each is None else each
    waited = 0.0  # the pauses, and the time the failed tries took
    failures = 0
    while True:
        began = time.monotonic()
        try:
            return await asyncio.wait_for(work(), each)
        except DeliveryFailed:
            raise
        except Exception as error:
            trouble = error if isinstance(error, RetryLater) else classify(error, "reply")
            if not isinstance(trouble, RetryLater):
                raise
            waited += time.monotonic() - began
            pause = trouble.retry_after if trouble.retry_after is not None else 2.0**failures
            if waited + pause > patience:
                raise
            failures += 1
            waited += pause
            await sleep(pause)


class Accounts:
    """Teams account ids (``29:…``) learnt from member lists, kept in this process.

    The directory is asked for members inside the scheduler's transaction, so it must not
    write to the database (SQLite would wait on itself); the port uses these ids to open
    1:1 chats, and falls back to the person's Entra id, which Teams also accepts.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._people: dict[tuple[str, str], Person] = {}
        self._limit = limit

    def note(self, person: Person) -> None:
        if len(self._people) >= self._limit:
            self._people.clear()
        self._people[(person.tenant_id, person.user_id)] = person

    def find(self, tenant_id: str, user_id: str) -> Person | None:
        return self._people.get((tenant_id, user_id))


class Connectors:
    """ConnectorClients for each service URL, with the bot's credentials (none without an id).

    ``reachable`` says which service URLs may be called at all; without a bot identity nothing
    vouches for a URL a caller named, so the composition allows only this machine then.
    """

    def __init__(
        self,
        auth: BotFrameworkAuthentication,
        app_id: str,
        *,
        reachable: Callable[[str], bool] | None = None,
    ) -> None:
        self._reachable = reachable
        claims = ClaimsIdentity(
            {
                AuthenticationConstants.AUDIENCE_CLAIM: app_id,
                AuthenticationConstants.APP_ID_CLAIM: app_id,
            },
            True,
        )
        self._factory = auth.create_connector_factory(claims)
        self._clients: dict[str, ConnectorClient] = {}

    def may_call(self, service_url: str) -> bool:
        return self._reachable is None or self._reachable(service_url)

    async def client(self, service_url: str) -> ConnectorClient:
        if not self.may_call(service_url):
            raise DeliveryFailed(f"okrbot does not send to {service_url} without a bot identity")
        if service_url not in self._clients:
            client = await self._factory.create(service_url, None)
            client.config.connection.timeout = TIMEOUT
            self._clients[service_url] = client
        return self._clients[service_url]

    async def call(self, service_url: str, call: str, work: Callable[[Any], Awaitable[Any]]) -> Any:
        """Run one connector call; its failures come out as RetryLater or DeliveryFailed."""
        client = await self.client(service_url)
        await self._fresh_token(client)
        try:
            return await work(client.conversations)
        except (RetryLater, DeliveryFailed):
            raise
        except Exception as error:
            raise classify(error, call) from None

    async def _fresh_token(self, client: ConnectorClient) -> None:
        """Get the bot's token off the loop, so the call itself finds it in MSAL's cache.

        botframework asks MSAL for it inside the call, blocking, with no timeout.
        """
        credentials = client.config.credentials
        if not getattr(credentials, "microsoft_app_id", ""):
            return  # the emulator's mode: no token to get
        try:
            await identity.run_blocking(credentials.get_access_token)
        except identity.IdentityUnavailable as error:
            raise RetryLater(f"the bot's token: {error}") from None
        except Exception as error:  # refused credentials, or the provider is away
            raise RetryLater(f"the bot's token: {type(error).__name__}") from None

    async def close(self) -> None:
        for client in self._clients.values():
            await client.__aexit__(None, None, None)  # closes its HTTP session
        self._clients.clear()


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

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None:
        found = await self._store.conversation(workspace_id, channel_id)
        if found is None:
            raise DeliveryFailed(f"okrbot has never been in conversation {channel_id}")
        await self._pacer.wait(found.conversation_id)
        activity = Activity().deserialize({**cards.message(reply), "id": message_id})
        await self._connectors.call(
            found.service_url,
            "update_activity",
            lambda c: c.update_activity(found.conversation_id, message_id, activity),
        )

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
            service_url, "create_conversation", lambda c: c.create_conversation(parameters)
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


def is_bot(member: Any) -> bool:
    """Whether a roster entry is a bot: Teams gives bots ``28:`` ids and the role ``bot``."""
    account = str(getattr(member, "id", "") or "")
    extra = getattr(member, "additional_properties", None) or {}
    roles = (getattr(member, "role", None), extra.get("userRole"))
    return account.startswith("28:") or any(str(r or "").lower() == "bot" for r in roles)


class TeamsDirectory:
    """Who is in a channel (the connector's paged members) and the timezones Teams showed us.

    The roster lists the bot itself and any other bots installed there; only people count.
    """

    def __init__(
        self, connectors: Connectors, store: ReferenceStore, accounts: Accounts | None = None
    ) -> None:
        self._connectors = connectors
        self._store = store
        self._accounts = accounts or Accounts()

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        found = await self._store.conversation(workspace_id, channel_id)
        if found is None:
            log.warning("no members for a Teams conversation okrbot has never been in")
            return []
        people: list[Person] = []
        token: str | None = None

        async def page_after(conversations: Any) -> Any:
            return await conversations.get_conversation_paged_members(
                channel_id, page_size=MEMBERS_PAGE, continuation_token=token
            )

        while True:
            page = await self._connectors.call(
                found.service_url, "get_conversation_paged_members", page_after
            )
            for member in getattr(page, "members", None) or []:
                account = str(getattr(member, "id", "") or "")
                user = str(getattr(member, "aad_object_id", "") or "") or account
                if account and account != found.bot_id and not is_bot(member):
                    people.append(Person(workspace_id, user, account, found.service_url))
            token = getattr(page, "continuation_token", None)
            if not token:
                break
        for person in people:
            self._accounts.note(person)
        return [p.user_id for p in people]

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        """Teams tells a person's timezone only on their own activities; None until then."""
        person = await self._store.person(workspace_id, user_id)
        return person.timezone if person is not None and person.timezone else None
