"""Socket Mode: the same AsyncApp, fed over a WebSocket instead of HTTP.

Bolt's Socket Mode modules are loaded only when Socket Mode is used: a deployment served over
HTTP never needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp


def socket_mode_handler(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Connect ``app`` to Slack with an app-level token (``xapp-…``) through ``app.client``."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    return AsyncSocketModeHandler(app, app_token, web_client=app.client)
