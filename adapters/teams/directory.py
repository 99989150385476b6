"""Teams' Directory: who is in a channel, and the timezones Teams showed us."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from adapters.teams.client import Connectors
from adapters.teams.references import Person, ReferenceStore

log = logging.getLogger(__name__)

MEMBERS_PAGE = 100


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
                found.service_url,
                "get_conversation_paged_members",
                page_after,
                tenant=workspace_id,
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
