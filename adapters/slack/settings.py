"""What Slack reads from the environment, and where it is served."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.environment import setting
from bot.events import Platform

SLACK = Platform("slack")
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
API_URL = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """Slack's settings (``SLACK_*``), and ``OKRBOT_SECRET_KEY``, which seals its stored tokens."""

    slack_signing_secret: str = field(default="", repr=False)
    slack_bot_token: str = field(default="", repr=False)
    slack_client_id: str = ""
    slack_client_secret: str = field(default="", repr=False)
    slack_scopes: str = ""
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = API_URL
    secret_key: str = field(default="", repr=False)

    @classmethod
    def read(cls, values: Mapping[str, str]) -> SlackSettings:
        return cls(
            slack_signing_secret=setting(values, "SLACK_SIGNING_SECRET"),
            slack_bot_token=setting(values, "SLACK_BOT_TOKEN"),
            slack_client_id=setting(values, "SLACK_CLIENT_ID"),
            slack_client_secret=setting(values, "SLACK_CLIENT_SECRET"),
            slack_scopes=setting(values, "SLACK_SCOPES"),
            slack_app_token=setting(values, "SLACK_APP_TOKEN"),
            slack_api_url=setting(values, "SLACK_API_URL", API_URL),
            secret_key=setting(values, "OKRBOT_SECRET_KEY"),
        )

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The keys of ``OKRBOT_SECRET_KEY``, newest first (several while one is rotated in)."""
        return tuple(key.strip() for key in self.secret_key.split(",") if key.strip())

    def secrets(self) -> tuple[str, ...]:
        """What no log line may show."""
        return (
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_client_secret,
            self.slack_signing_secret,
        )
