"""What Teams reads from okrbot's settings, and where it is served."""

from __future__ import annotations

from typing import Protocol

from bot.events import Platform

TEAMS = Platform("teams")
MESSAGES_PATH = "/api/messages"


class TeamsSettings(Protocol):
    """The settings Teams reads (``MICROSOFT_APP_*``, ``BOT_FRAMEWORK_*``, ``OKRBOT_TEAMS_*``)."""

    @property
    def microsoft_app_id(self) -> str: ...
    @property
    def microsoft_app_password(self) -> str: ...
    @property
    def microsoft_app_type(self) -> str: ...
    @property
    def microsoft_app_tenant_id(self) -> str: ...
    @property
    def teams_emulator(self) -> bool: ...
    @property
    def teams_sdk(self) -> str: ...
    @property
    def bot_framework_openid_metadata_url(self) -> str: ...
    @property
    def bot_framework_token_issuer(self) -> str: ...
    @property
    def bot_framework_login_url(self) -> str: ...
    @property
    def bot_framework_oauth_scope(self) -> str: ...
