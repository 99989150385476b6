"""Settings read from the environment, and from a `.env` file in the working directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///okrbot.db"
OFF = frozenset({"0", "off", "no", "false"})


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_bot_token: str = field(default="", repr=False)
    slack_client_id: str = ""
    slack_client_secret: str = field(default="", repr=False)
    slack_scopes: str = ""
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = "https://slack.com/api/"
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
    outbox_lease_seconds: float = 30.0
    outbox_heartbeat_seconds: float = 0.0  # 0: a third of the lease
    inbox_lease_seconds: float = 15.0  # renewed every third while held
    inbox_worker: bool = True  # False: this process stores and acks events; others handle them
    anonymity_min: int = 3
    retention_days: int = 7
    public_url: str = ""
    privacy_url: str = ""  # the Teams app's privacy link; okrbot's own /privacy when empty
    terms_url: str = ""  # the Teams app's terms link; okrbot's own /terms when empty
    log_format: str = "text"  # or "json": one JSON object per line
    log_level: str = "INFO"

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The keys of ``OKRBOT_SECRET_KEY``, newest first (several while one is rotated in)."""
        return tuple(key.strip() for key in self.secret_key.split(",") if key.strip())

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Read settings; real environment variables win over the `.env` file."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str, default: str = "") -> str:
            return values.get(name, "").strip() or default

        return cls(
            database_url=get("OKRBOT_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=get("OKRBOT_SECRET_KEY"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_client_id=get("SLACK_CLIENT_ID"),
            slack_client_secret=get("SLACK_CLIENT_SECRET"),
            slack_scopes=get("SLACK_SCOPES"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL", "https://slack.com/api/"),
            microsoft_app_id=get("MICROSOFT_APP_ID"),
            microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
            microsoft_app_type=get("MICROSOFT_APP_TYPE", "MultiTenant"),
            microsoft_app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
            teams_emulator=get("OKRBOT_TEAMS_EMULATOR") in {"1", "true", "yes", "on"},
            teams_sdk=get("OKRBOT_TEAMS_SDK", "agents").lower(),
            bot_framework_openid_metadata_url=get("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"),
            bot_framework_token_issuer=get("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"),
            bot_framework_login_url=get("TO_CHANNEL_FROM_BOT_LOGIN_URL"),
            bot_framework_oauth_scope=get("TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"),
            outbox_lease_seconds=_seconds(get("OKRBOT_OUTBOX_LEASE_SECONDS"), 30.0),
            outbox_heartbeat_seconds=_seconds(get("OKRBOT_OUTBOX_HEARTBEAT_SECONDS"), 0.0),
            inbox_lease_seconds=_seconds(get("OKRBOT_INBOX_LEASE_SECONDS"), 15.0),
            inbox_worker=get("OKRBOT_INBOX_WORKER", "on").lower()
            not in {"0", "off", "no", "false"},
            # Fewer than three could never keep anyone anonymous: a smaller value is raised.
            anonymity_min=max(3, _whole(get("OKRBOT_ANONYMITY_MIN"), 3)),
            retention_days=max(1, _whole(get("OKRBOT_RETENTION_DAYS"), 7)),
            public_url=get("OKRBOT_PUBLIC_URL"),
            privacy_url=get("OKRBOT_PRIVACY_URL"),
            terms_url=get("OKRBOT_TERMS_URL"),
            log_format=get("OKRBOT_LOG_FORMAT", "text").lower(),
            log_level=get("OKRBOT_LOG_LEVEL", "INFO").upper(),
        )


def _seconds(text: str, default: float) -> float:
    """A positive number of seconds, or the default when it is missing or no such number."""
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default


def _whole(value: str, default: int) -> int:
    """A whole number from the environment, or the default when unset or unreadable."""
    return int(value) if value.isdigit() else default
