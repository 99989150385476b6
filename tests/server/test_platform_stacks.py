"""A deployment loads the SDKs of the platforms it serves, and no other's.

The Teams stack (botbuilder, botframework, the Microsoft 365 Agents SDK, msal) is about half of
okrbot's import time and hundreds of modules; a Slack-only deployment starts without it.
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


def loaded(tmp_path: Path, **environment: str) -> list[str]:
    settings = {"OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'okrbot.db'}"}
    quiet = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    done = subprocess.run(
        [sys.executable, "-c", BUILD],
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
