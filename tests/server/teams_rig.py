"""okrbot served over real HTTP on 127.0.0.1, with Teams activities from a fake Bot Connector."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from itertools import count
from typing import Any

from adapters.teams.connecting import TeamsConnected
from bot.clock import ManualClock
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.payloads import activity
from tests.support.rig import Answer, HttpRig, serve
from tests.support.settings import configured
from tests.support.times import START

TENANT = "tenant-0001"
BOT = {"id": "28:okrbot-app-id", "name": "okrbot"}
CHANNEL = "19:checkout-channel@thread.tacv2"
PEOPLE = {
    "ada": {
        "id": "29:1ada-account",
        "name": "Ada Lovelace",
        "aadObjectId": "00000000-0000-0000-0000-00000000ada1",
    },
    "grace": {
        "id": "29:1grace-account",
        "name": "Grace Hopper",
        "aadObjectId": "00000000-0000-0000-0000-0000000grace",
    },
}
_ids = count(1_798_981_200_000)


def aad(name: str) -> str:
    return PEOPLE[name]["aadObjectId"]


def personal_chat(name: str) -> str:
    """The 1:1 chat a person opened with the bot (Ada has none until the bot opens one)."""
    return f"a:1personal-{name}" if name != "ada" else f"a:1chat-with-{PEOPLE[name]['id']}"


def in_channel(
    service_url: str, text: str, *, who: str = "ada", mention: bool = True
) -> dict[str, Any]:
    """A message posted in the Checkout channel, starting a new thread, sent from
    ``service_url``."""
    message_id = str(next(_ids))
    payload = activity(
        "channel_mention",
        serviceUrl=service_url,
        id=message_id,
        text=f"<at>okrbot</at> {text}" if mention else text,
        conversation={
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid={message_id}",
        },
        **{"from": copy.deepcopy(PEOPLE[who])},
    )
    if not mention:
        payload["entities"] = []
    return payload


@dataclass
class TeamsRig(HttpRig[FakeConnector]):
    handles_events: bool = True  # False: kept activities wait in the inbox until settle()

    @classmethod
    async def start(cls, database_url: str, **overrides: Any) -> TeamsRig:
        fake = await FakeConnector().start()
        settings = configured(database_url, **{"teams_emulator": True, **overrides})
        clock = ManualClock(START)
        server, client = await serve(settings, clock, pacing={"teams": 0.0})
        return cls(fake, server, client, clock)

    async def post(self, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
        response = await self.client.post("/api/messages", json=payload, headers=headers or {})
        answer = Answer(response.status, await response.text())
        if self.handles_events and answer.status == 200:
            await self.settle()  # the worker's loop does not run here: handle what was kept
        return answer

    @property
    def teams(self) -> TeamsConnected:
        """Teams as the server connected it (its edge, its clients)."""
        connected = self.server.connections.connected["teams"]
        assert isinstance(connected, TeamsConnected)
        return connected

    def activity(self, name: str, **changes: Any) -> dict[str, Any]:
        """A stored activity, sent from this rig's fake connector."""
        return {**activity(name), "serviceUrl": self.fake.service_url, **changes}

    def in_channel(self, text: str, *, who: str = "ada", mention: bool = True) -> dict[str, Any]:
        """A message posted in the Checkout channel, starting a new thread."""
        return in_channel(self.fake.service_url, text, who=who, mention=mention)

    def in_personal_chat(self, text: str, *, who: str = "grace", **changes: Any) -> dict[str, Any]:
        defaults: dict[str, Any] = {
            "id": str(next(_ids)),
            "text": text,
            "conversation": {
                "conversationType": "personal",
                "tenantId": TENANT,
                "id": personal_chat(who),
            },
            "localTimezone": "Europe/London",
            "from": copy.deepcopy(PEOPLE[who]),
        }
        return self.activity("personal_message", **{**defaults, **changes})
