"""Socket Mode: the same AsyncApp, fed over a WebSocket instead of HTTP."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp


def socket_mode_handler(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Connect ``app`` to Slack with an app-level token (``xapp-…``) through ``app.client``."""
    return AsyncSocketModeHandler(app, app_token, web_client=app.client)
