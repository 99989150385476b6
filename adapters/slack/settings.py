"""What Slack reads from okrbot's settings, and where it is served."""

from __future__ import annotations

from typing import Protocol

from bot.events import Platform

SLACK = Platform("slack")
EVENTS_PATH = "/slack/events"


class SlackSettings(Protocol):
    """The settings Slack reads (``SLACK_*`` and ``OKRBOT_SECRET_KEY``)."""

    @property
    def slack_signing_secret(self) -> str: ...
    @property
    def slack_bot_token(self) -> str: ...
    @property
    def slack_client_id(self) -> str: ...
    @property
    def slack_client_secret(self) -> str: ...
    @property
    def slack_scopes(self) -> str: ...
    @property
    def slack_app_token(self) -> str: ...
    @property
    def slack_api_url(self) -> str: ...
    @property
    def secret_key(self) -> str: ...
