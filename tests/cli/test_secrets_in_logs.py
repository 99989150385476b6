"""At `-vv`, okrbot's log tells what happened and never a secret.

`okrbot serve -vv` goes through a whole OAuth install (slack_sdk logs the body of the
``oauth.v2.access`` answer, which carries the bot token) and delivers a message with the
installed token; `okrbot run-due -vv` delivers a scheduled opening with a configured bot token.
Both run as real processes, as an operator runs them, and everything they write to stderr is
read back.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signing import signed_headers
from tests.adapters.teams.payloads import activity
from tests.adapters.teams.tokens import forged_token
from tests.server.rig import TOKEN, SlackRig
from tests.support.serving import ServeProcess

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
CLIENT_SECRET = "3c59dc048e8850243be8079a5c74d079"
APP_TOKEN = "xapp-1-A0001-2222-aa54d3c0fe"
SECRET_KEY = "correct horse battery staple"
APP_PASSWORD = "Zq8~pL2.vN4_kR6-secret-app-password"
INSTALLED_TOKEN = "xoxb-installed-secret-token"
OAUTH_CODE = "the-one-time-code"
FORGED_JWT = forged_token("https://smba.trafficmanager.net/emea/")


def leaked(log: str, *secrets: str) -> list[str]:
    """The secrets, and anything shaped like a Slack token or a bearer token, found in ``log``."""
    found = [secret for secret in secrets if secret in log]
    found += re.findall(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+", log)
    found += re.findall(r"(?i)bearer\s+(?!\(redacted\)|\[redacted\])\S+", log)
    return found


async def test_serve_at_vv_logs_an_oauth_install_and_a_delivery_without_secrets(
    tmp_path: Path, database_url: str
) -> None:
    fake = await FakeSlack().start()
    environment = {
        "OKRBOT_DATABASE_URL": database_url,
        "OKRBOT_SECRET_KEY": SECRET_KEY,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SCOPES": "commands,chat:write,im:write",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
        "MICROSOFT_APP_ID": "00000000-0000-0000-0000-0000000a99id",
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
    }
    serving = ServeProcess(environment, tmp_path, options=("-vv",))
    base = serving.base
    try:
        async with aiohttp.ClientSession() as session:
            await serving.start(session)
            async with session.get(f"{base}/slack/install") as page:
                state = re.search(r"state=([\w-]+)", await page.text())
            assert state is not None
            async with session.get(
                f"{base}/slack/oauth_redirect",
                params={"code": OAUTH_CODE, "state": state.group(1)},
                headers={"Cookie": f"slack-app-oauth-state={state.group(1)}"},
            ) as done:
                assert done.status == 200, await done.text()
            for line in ("team create Nine", "concern Velocity: we split stories to look fast"):
                body = urlencode(
                    {"command": "/okr", "text": line, "team_id": "T9", "channel_id": "C9"}
                    | {"user_id": "U9"}
                )
                async with session.post(
                    f"{base}/slack/events", data=body, headers=signed_headers(SIGNING_SECRET, body)
                ):
                    pass
            # Teams: a request with a bearer token Microsoft never issued is refused, unlogged.
            async with session.post(
                f"{base}/api/messages",
                json=activity("personal_message"),
                headers={"Authorization": f"Bearer {FORGED_JWT}"},
            ) as forged:
                assert forged.status == 401
            for _ in range(100):  # the outbox loop tells the lead, with the installed token
                if fake.to("chat.postMessage"):
                    break
                await asyncio.sleep(0.1)
    finally:
        # A stop that hangs is test_serve_command's concern; here the log is what counts.
        log = await serving.stop(60, a_hang_fails=False)
        await fake.close()
    assert [call.token for call in fake.to("chat.postMessage")] == [INSTALLED_TOKEN]
    assert "oauth.v2.access" in log and "chat.postMessage" in log  # it says what happened
    assert "DEBUG" in log
    secrets = (INSTALLED_TOKEN, SIGNING_SECRET, CLIENT_SECRET, SECRET_KEY, APP_PASSWORD, APP_TOKEN)
    assert leaked(log, *secrets, OAUTH_CODE, FORGED_JWT) == []


async def test_run_due_at_vv_delivers_with_a_token_it_never_logs(database_url: str) -> None:
    rig = await SlackRig.start(database_url)
    try:
        rig.fake.members["C1"] = ["U1", "U2"]
        await rig.command("/okr team create Checkout")
        await rig.command("/retro start")
        await rig.settle()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", "run-due", "-vv", "--now", rig.clock.now().isoformat()),
            env={
                **os.environ,
                "OKRBOT_DATABASE_URL": database_url,
                "OKRBOT_SECRET_KEY": SECRET_KEY,
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": rig.fake.api_url,
            },
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await rig.close()
    log = err.decode()
    assert process.returncode == 0, log
    prompts = [c for c in rig.fake.to("chat.postMessage") if c.arguments["channel"] == "DU2"]
    assert prompts and all(c.token == TOKEN for c in prompts)
    assert "chat.postMessage" in log and "DEBUG" in log
    assert leaked(log, TOKEN, SIGNING_SECRET, SECRET_KEY) == []
