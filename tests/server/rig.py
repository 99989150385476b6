"""okrbot served over real HTTP on 127.0.0.1, talking to a fake Slack Web API."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from itertools import count
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse

from adapters.slack.platform import SlackConnected
from bot.clock import ManualClock
from tests.adapters.slack.fake_slack import BOT_USER, FakeSlack
from tests.adapters.slack.signing import signed_headers
from tests.support.rig import Answer, HttpRig, serve
from tests.support.settings import configured
from tests.support.times import START

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


@dataclass
class SlackRig(HttpRig[FakeSlack]):
    secret: str = SECRET
    handles_events: bool = True  # False: events stay in the inbox until handle_inbox()

    @property
    def slack(self) -> SlackConnected:
        """Slack as the server connected it (its Bolt app, its edge)."""
        connected = self.server.connections.connected["slack"]
        assert isinstance(connected, SlackConnected)
        return connected

    @classmethod
    async def start(cls, database_url: str, **overrides: Any) -> SlackRig:
        fake = await FakeSlack().start()
        own = {
            "slack_signing_secret": SECRET,
            "slack_bot_token": TOKEN,
            "slack_api_url": fake.api_url,
        }
        settings = configured(database_url, **(own | overrides))
        clock = ManualClock(START)
        fake.clock = lambda: clock.now().timestamp()  # Slack's message times follow okrbot's
        server, client = await serve(settings, clock, pacing={"slack": 0.01})
        return cls(fake, server, client, clock)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: str | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        stamp = timestamp or str(int(time.time()))
        signed = signed_headers(secret or self.secret, body, content_type, stamp) | (headers or {})
        response: ClientResponse = await self.client.post(
            "/slack/events", data=body, headers=signed
        )
        answer = Answer(response.status, await response.text())
        if (
            self.handles_events and answer.status == 200
        ):  # the worker's loop does not run here: handle what was kept
            await self.handle_inbox()
        return answer

    async def command(
        self, line: str, *, user: str = "U1", channel: str = "C1", team: str = "T1"
    ) -> Answer:
        command, _, rest = line.partition(" ")
        body = urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "example",
                "channel_id": channel,
                "channel_name": "team",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": rest,
                "api_app_id": "A0001",
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(f"{user}-{next(_ids)}"),
                "trigger_id": f"trigger-{next(_ids)}",
            }
        )
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], *, event_id: str, team: str = "T1", retry: int | None = None
    ) -> Answer:
        envelope = {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(START.timestamp()),
            "authorizations": [
                {
                    "team_id": team,
                    "user_id": BOT_USER,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return await self.post(json.dumps(envelope), "application/json", headers=headers)

    async def interaction(self, payload: dict[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")


_ids = count(1)


def user(user_id: str, team: str = "T1") -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team}


def view_submission(
    callback_id: str,
    values: dict[str, str],
    *,
    metadata: str,
    user_id: str = "U1",
    shown: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A modal's submission; with ``shown`` (the view opened) it carries its title and blocks."""
    state = {
        name: {name: {"type": "plain_text_input", "value": value}} for name, value in values.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "example"},
        "user": user(user_id),
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": f"trigger-{next(_ids)}",
        "view": {
            "id": "V1",
            "team_id": "T1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": state},
            **{key: shown[key] for key in ("title", "blocks") if shown and key in shown},
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
