"""The baseline a user would pick instead of okrbot: a bare slack-bolt app with a no-op listener.

Served by Bolt's own aiohttp server; it checks each request's signature, as Bolt does by default,
and acknowledges every ``app_mention`` without doing anything with it.

    python -m bench.bare_bolt PORT   (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL set)
"""

from __future__ import annotations

import logging
import os
import sys

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    app = AsyncApp(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=AsyncWebClient(
            token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
        ),
    )

    @app.event("app_mention")
    async def ignore() -> None:
        """Do nothing: Bolt has acknowledged the event already."""

    app.start(port=int(sys.argv[1]), path="/slack/events", host="127.0.0.1")


if __name__ == "__main__":
    main()
