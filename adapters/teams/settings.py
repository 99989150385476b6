"""What Teams reads from the environment, and where it is served."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.environment import ON, setting
from bot.events import Platform

TEAMS = Platform("teams")
MESSAGES_PATH = "/api/messages"


@dataclass(frozen=True, slots=True)
class TeamsSettings:
    """Teams' settings (``MICROSOFT_APP_*``, the Bot Framework's endpoints, ``OKRBOT_TEAMS_*``)."""

    microsoft_app_id: str = ""
    microsoft_app_password: str = field(default="", repr=False)
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str = ""
    teams_emulator: bool = False
    teams_sdk: str = "agents"  # or "botbuilder": which SDK hosts /api/messages
    bot_framework_openid_metadata_url: str = ""
    bot_framework_token_issuer: str = ""
    bot_framework_login_url: str = ""
    bot_framework_oauth_scope: str = ""

    @classmethod
    def read(cls, values: Mapping[str, str]) -> TeamsSettings:
        return cls(
            microsoft_app_id=setting(values, "MICROSOFT_APP_ID"),
            microsoft_app_password=setting(values, "MICROSOFT_APP_PASSWORD"),
            microsoft_app_type=setting(values, "MICROSOFT_APP_TYPE", "MultiTenant"),
            microsoft_app_tenant_id=setting(values, "MICROSOFT_APP_TENANT_ID"),
            teams_emulator=setting(values, "OKRBOT_TEAMS_EMULATOR") in ON,
            teams_sdk=setting(values, "OKRBOT_TEAMS_SDK", "agents").lower(),
            bot_framework_openid_metadata_url=setting(
                values, "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"
            ),
            bot_framework_token_issuer=setting(values, "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"),
            bot_framework_login_url=setting(values, "TO_CHANNEL_FROM_BOT_LOGIN_URL"),
            bot_framework_oauth_scope=setting(values, "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"),
        )

    def secrets(self) -> tuple[str, ...]:
        """What no log line may show."""
        return (self.microsoft_app_password,)
