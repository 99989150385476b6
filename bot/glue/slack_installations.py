"""Slack installations and OAuth states on okrbot's own database, tokens encrypted at rest.

Tokens are sealed with the keys of ``OKRBOT_SECRET_KEY`` (bot.glue.keys: the newest seals, any
unseals). Without a secret key no token is ever stored. Nothing here logs a token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack.checks import StoredToken
from adapters.slack.inbound import split_workspace
from adapters.slack.platform import Installations, SlackGlue
from bot.glue import keys
from bot.glue.keys import MissingSecretKey, fernet_for
from bot.glue.slack_direct_chats import DatabaseDirectChats
from bot.ports import Clock
from storage import installations

__all__ = ["MissingSecretKey", "fernet_for", "seal", "unseal"]

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)


def seal(installation: Installation, secret_key: str) -> str:
    """Encrypt a whole installation (its tokens with it) with the newest key."""
    data = installation.to_dict_for_copying()
    plain = json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else v)
    return fernet_for(secret_key).encrypt(plain.encode()).decode()


def unseal(sealed: str, secret_key: str) -> Installation | None:
    """Decrypt an installation with whichever key sealed it; None if no key can."""
    from cryptography.fernet import InvalidToken  # loaded with the keys (bot.glue.keys)

    try:
        data: dict[str, Any] = json.loads(fernet_for(secret_key).decrypt(sealed.encode()))
    except InvalidToken:
        return None
    return Installation(**data)


def installation_key(enterprise_id: str | None, team_id: str | None, org_wide: bool) -> str:
    """Name an installation: the org for an org-wide install, else the workspace."""
    if org_wide and enterprise_id:
        return enterprise_id
    return team_id or enterprise_id or ""


class DatabaseInstallationStore(Installations):
    """Bolt's installation store on our tables; bot tokens only, encrypted."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, secret_key: str
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._secret_key = secret_key
        # Installations no key can read, as far as this process has seen; /readyz names them.
        self.unreadable: set[str] = set()
        self._audit: asyncio.Task[None] | None = None

    def unreadable_now(self) -> set[str]:
        """The installations no key can read, as known now; the first call starts a check of all.

        The check runs in the background, so that a readiness probe never waits for it.
        """
        if self._audit is None:
            self._audit = asyncio.ensure_future(self._check_all())
        return self.unreadable

    def readiness(self) -> str | None:
        lost = sorted(self.unreadable_now())
        return f"{len(lost)} {keys.unreadable_detail(lost)}" if lost else None

    async def _check_all(self) -> None:
        try:
            self.unreadable.update(await keys.unreadable(self._sessions, self._secret_key))
        except Exception as error:  # the database away for a moment: the next call tries again
            log.warning("could not check the stored Slack tokens (%s)", type(error).__name__)
            self._audit = None

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        sealed = seal(installation, self._secret_key)
        org_wide = bool(installation.is_enterprise_install)
        key = installation_key(installation.enterprise_id, installation.team_id, org_wide)
        async with self._sessions() as session, session.begin():
            await installations.save_installation(
                session,
                installation_key=key,
                enterprise_id=installation.enterprise_id,
                team_id=installation.team_id,
                is_enterprise_install=org_wide,
                bot_user_id=installation.bot_user_id,
                sealed=sealed,
                now=self._clock.now(),
            )
        self.unreadable.discard(key)  # sealed again with the newest key
        log.info("saved the Slack installation of %s", installation.team_id or "an org")

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = installation_key(enterprise_id, team_id, bool(is_enterprise_install))
        async with self._sessions() as session:
            row = await installations.find_installation(session, installation_key=key)
            sealed = row.sealed if row is not None else None
        found = unseal(sealed, self._secret_key) if sealed else None
        if sealed and found is None:  # loudly: the install has stopped working
            log.error(keys.unreadable_warning(key))
            self.unreadable.add(key)
        elif found is not None:
            self.unreadable.discard(key)
        if found is None or (user_id is not None and found.user_id != user_id):
            return None
        return found

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return found.to_bot() if found is not None and found.bot_token else None

    async def bot_token(self, workspace_id: str) -> str | None:
        """The bot token for a workspace key as the Slack adapter names workspaces."""
        enterprise_id, team_id, org_wide = split_workspace(workspace_id)
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=org_wide
        )
        return bot.bot_token if bot is not None else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        # A person's revoked user token: we never use user tokens, so there is nothing to drop.

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        keys = [k for k in {team_id, enterprise_id if not team_id else None} if k]
        async with self._sessions() as session, session.begin():
            removed = await installations.delete_installations(session, installation_keys=keys)
        log.info("removed %s Slack installation(s) of %s", removed, team_id or enterprise_id)


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values, shared by every replica through the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        async with self._sessions() as session, session.begin():
            await installations.issue_state(
                session, state=state, expires_at=self._clock.now() + STATE_LIFETIME
            )
        return state

    async def async_consume(self, state: str) -> bool:
        async with self._sessions() as session, session.begin():
            return await installations.consume_state(session, state=state, now=self._clock.now())


async def stored_tokens(
    sessions: async_sessionmaker[AsyncSession], secret_key: str
) -> AsyncIterator[list[StoredToken]]:
    """Every stored installation's bot token, a page at a time, for `okrbot doctor`; one that
    no key of ``secret_key`` unseals comes without its token, with what to do instead."""
    after = 0
    while True:
        async with sessions() as session:
            rows = await installations.installations_after(
                session, after_id=after, limit=keys.BATCH
            )
        page = []
        for row in rows:
            found = unseal(row.sealed, secret_key)
            if found is None or not found.bot_token:
                unreadable = keys.unreadable_warning(row.installation_key)
                page.append(StoredToken(row.installation_key, None, unreadable))
            else:
                page.append(StoredToken(row.installation_key, found.bot_token))
        yield page
        if len(rows) < keys.BATCH:
            return
        after = rows[-1].id


GLUE: SlackGlue[async_sessionmaker[AsyncSession]] = SlackGlue(
    installations=DatabaseInstallationStore,
    states=DatabaseStateStore,
    stored=stored_tokens,
    direct_chats=DatabaseDirectChats,
)
"""Slack's stores in okrbot's database, as ``bot.entry.platforms`` hands them to Slack."""
