"""A deployment loads the SDKs of the platforms it serves, and no other's.

The Teams stack (botbuilder, botframework, the Microsoft 365 Agents SDK, msal) is about half of
okrbot's import time and hundreds of modules; a Slack-only deployment starts without it. Nor
does it load what only bad input, another database or a migration needs: pydantic (the shape
models that name a body's problem), PostgreSQL's dialect, Alembic; nor, until the first slash
command or interaction, slack-bolt (Events API events reach the inbox without it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TEAMS_STACK = ("botbuilder", "botframework", "microsoft_agents", "msal", "msrest")

# A server built as `okrbot serve` builds it, and the top-level packages it then holds.
BUILD = f"""
import asyncio, json, sys
from bot.entry.app import build
from bot.entry.server import create_server
from bot.entry.platforms import PLATFORMS
from bot.entry.settings import Settings

async def main():
    okrbot = await build(Settings.from_environment(platforms=PLATFORMS))
    server = create_server(okrbot)
    await server.stop()
    await okrbot.close()

asyncio.run(main())
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules if m.startswith({TEAMS_STACK!r})}})))
"""


# The same, serving a readiness check and one signed story, on a database already migrated.
SERVED = """
import asyncio, hashlib, hmac, json, sys, time
from aiohttp.test_utils import TestClient, TestServer
from bot.entry.app import build
from bot.entry.server import create_server
from bot.entry.platforms import PLATFORMS
from bot.entry.settings import Settings

STORY = {
    "type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event_time": 1,
    "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.1",
              "text": "<@UBOT> story learning learned: it did not"},
}

async def main():
    okrbot = await build(Settings.from_environment(platforms=PLATFORMS))
    server = create_server(okrbot)
    async with TestClient(TestServer(server.web_app)) as client:
        assert (await client.get("/readyz")).status == 200
        body, stamp = json.dumps(STORY), str(int(time.time()))
        mac = hmac.new(b"secret", f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}",
                   "Content-Type": "application/json"}
        assert (await client.post("/slack/events", data=body, headers=headers)).status == 200
    await server.stop()
    await okrbot.close()

asyncio.run(main())
print(json.dumps(sorted(m for m in ("pydantic", "sqlalchemy.dialects.postgresql", "alembic")
                        if m in sys.modules)))
"""


# Ready, one signed story, whether Bolt is loaded yet, then one signed slash command, answered
# (Bolt's listener asks Slack's auth.test first: a Web API that says yes stands in for Slack).
COMMANDED = """
import asyncio, hashlib, hmac, json, os, sys, time
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from bot.entry.app import build
from bot.entry.server import create_server
from bot.entry.platforms import PLATFORMS
from bot.entry.settings import Settings

STORY = {
    "type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event_time": 1,
    "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.1",
              "text": "<@UBOT> story learning learned: it did not"},
}
COMMAND = "command=%2Fokr&text=team+create+Checkout&team_id=T1&channel_id=C1&user_id=U1"

def signed(body, kind):
    stamp = str(int(time.time()))
    mac = hmac.new(b"secret", f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}",
            "Content-Type": kind}

async def yes(request):
    return web.json_response({"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"})

async def main():
    slack = web.Application()
    slack.router.add_post("/api/{method}", yes)
    async with TestServer(slack) as fake:
        os.environ["SLACK_API_URL"] = str(fake.make_url("/api/"))
        okrbot = await build(Settings.from_environment(platforms=PLATFORMS))
        server = create_server(okrbot)
        async with TestClient(TestServer(server.web_app)) as client:
            assert (await client.get("/readyz")).status == 200
            story = json.dumps(STORY)
            headers = signed(story, "application/json")
            assert (await client.post("/slack/events", data=story, headers=headers)).status == 200
            unloaded = "slack_bolt" not in sys.modules
            kind = "application/x-www-form-urlencoded"
            answer = await client.post("/slack/events", data=COMMAND, headers=signed(COMMAND, kind))
            said = [unloaded, answer.status, "Checkout" in await answer.text()]
        await server.stop()
        await okrbot.close()
    print(json.dumps(said + ["slack_bolt" in sys.modules]))

asyncio.run(main())
"""


def loaded(tmp_path: Path, script: str = BUILD, **environment: str) -> list[str]:
    settings = {"OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'okrbot.db'}"}
    quiet = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**quiet, **settings, **environment, "OKRBOT_TEAMS_EMULATOR": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: list[str] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_slack_only_server_loads_no_teams_stack(tmp_path: Path) -> None:
    assert loaded(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="secret") == []


@pytest.mark.parametrize("sdk", ["agents", "botbuilder"])
def test_a_server_with_teams_loads_its_stack(tmp_path: Path, sdk: str) -> None:
    stack = loaded(
        tmp_path,
        MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
        MICROSOFT_APP_PASSWORD="pw",
        OKRBOT_TEAMS_SDK=sdk,
    )
    assert "botbuilder" in stack and "botframework" in stack


def test_a_slack_only_server_on_sqlite_serves_without_what_it_never_runs(tmp_path: Path) -> None:
    assert loaded(tmp_path) == []  # migrated by a first start
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}
    assert loaded(tmp_path, SERVED, **slack) == []


def test_bolt_loads_with_the_first_command_not_for_readiness_or_events(tmp_path: Path) -> None:
    assert loaded(tmp_path) == []  # migrated by a first start
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}
    # Ready and a story kept without Bolt; the command after them answered by Bolt's listener.
    assert loaded(tmp_path, COMMANDED, **slack) == [True, 200, True, True]
