"""`okrbot serve` processes of one Slack workspace (T1) that tests kill, restart or run side by
side: their environment, against the fake Web API, and the signed Events API mentions sent to
them."""

from __future__ import annotations

import json
import time

from tests.adapters.slack.fake_slack import FakeSlack


def environment(
    database_url: str, fake: FakeSlack, *, secret: str, lease_seconds: int
) -> dict[str, str]:
    """Slack only, one bot token; a killed process's events come back to the next one when
    their lease of ``lease_seconds`` ends."""
    return {
        "OKRBOT_DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_BOT_TOKEN": "xoxb-serving",
        "SLACK_API_URL": fake.api_url,
        "OKRBOT_INBOX_LEASE_SECONDS": str(lease_seconds),
    }


def mention(*, event_id: str, user: str, channel: str, text: str, ts: str) -> str:
    """An ``app_mention`` of the bot saying ``text``, as the Events API sends it."""
    return json.dumps(
        {
            "token": "legacy",
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A0001",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT0001", "is_bot": True}],
            "event": {
                "type": "app_mention",
                "user": user,
                "channel": channel,
                "text": f"<@UBOT0001> {text}",
                "ts": ts,
            },
        }
    )
