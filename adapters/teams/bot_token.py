"""The bot's own token for the Bot Connector: client credentials through MSAL, off the loop.

The Agents host's connector asks for it before each turn's connector is made. MSAL is blocking,
so each call runs in okrbot's identity pool (:mod:`adapters.teams.identity`), bounded in time;
MSAL keeps the token in its cache until shortly before it expires. An authority the operator
named (``TO_CHANNEL_FROM_BOT_LOGIN_URL``) is taken on the operator's word, without asking
Microsoft's instance discovery about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from msal import ConfidentialClientApplication

from adapters.teams import identity

PUBLIC_LOGIN = "https://login.microsoftonline.com"
MULTI_TENANT_AUTHORITY = f"{PUBLIC_LOGIN}/botframework.com"
PUBLIC_SCOPE = "https://api.botframework.com"


class TokenRefused(Exception):
    """The identity provider would not give the bot a token (wrong secret, unknown app)."""


@dataclass
class BotToken:
    app_id: str
    password: str = field(repr=False)
    authority: str
    scope: str = PUBLIC_SCOPE
    named_by_operator: bool = False
    _app: Any = field(default=None, repr=False)

    @classmethod
    def configured(
        cls, *, app_id: str, password: str, tenant_id: str, login_url: str, scope: str
    ) -> BotToken:
        """From the settings: a single-tenant bot asks its own tenant, unless a login URL is set."""
        authority = login_url or (
            f"{PUBLIC_LOGIN}/{tenant_id}" if tenant_id else MULTI_TENANT_AUTHORITY
        )
        return cls(app_id, password, authority, scope or PUBLIC_SCOPE, bool(login_url))

    async def get(self) -> str:
        """A valid access token; :class:`identity.IdentityUnavailable` when MSAL takes too long."""
        return await identity.run_blocking(self._acquire)

    def _acquire(self) -> str:
        if self._app is None:
            self._app = ConfidentialClientApplication(
                client_id=self.app_id,
                client_credential=self.password,
                authority=self.authority,
                timeout=identity.IDENTITY_TIMEOUT,
                instance_discovery=False if self.named_by_operator else None,
            )
        scopes = [self.scope if self.scope.endswith("/.default") else f"{self.scope}/.default"]
        result = self._app.acquire_token_for_client(scopes=scopes)
        if "access_token" not in result:
            raise TokenRefused(str(result.get("error", "no token")))
        return str(result["access_token"])
