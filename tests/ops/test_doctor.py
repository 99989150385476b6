"""`okrbot doctor` against the fake Slack Web API, a stand-in public address, real databases
and a database left at an old migration: one line per check, exit 0 only when all is well."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_sdk.oauth.installation_store.models.installation import Installation

import migrations
from bot.entry.cli import main
from bot.glue.slack_installations import DatabaseInstallationStore
from storage.engine import create_engine
from tests.adapters.slack.fake_slack import FakeSlack
from tests.server.rig import SlackRig
from tests.server.test_slack_oauth import OAUTH, install
from tests.support.serving import free_port

REVOKED = "xoxb-revoked-token"
SETTINGS = (
    "OKRBOT_SECRET_KEY",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "OKRBOT_TEAMS_EMULATOR",
    "OKRBOT_TEAMS_SDK",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_APP_TENANT_ID",
    "OKRBOT_PUBLIC_URL",
    "OKRBOT_LOG_LEVEL",
    "OKRBOT_LOG_FORMAT",
)


class RefusingSlack(FakeSlack):
    """The fake Web API, where one token has been revoked."""

    def _answer(self, method: str, arguments: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test" and self.calls[-1].token == REVOKED:
            return {"ok": False, "error": "token_revoked"}
        return super()._answer(method, arguments)


class PublicAddress:
    """Where OKRBOT_PUBLIC_URL points: answers /healthz, with its clock ``skew`` away."""

    def __init__(self, skew: timedelta = timedelta(0), status: int = 200) -> None:
        self.skew, self.status = skew, status
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        self.server = TestServer(app, host="127.0.0.1")

    async def _healthz(self, request: web.Request) -> web.Response:
        date = format_datetime(datetime.now(UTC) + self.skew, usegmt=True)
        return web.Response(text="ok", status=self.status, headers={"Date": date})

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


@pytest.fixture
async def public() -> AsyncIterator[PublicAddress]:
    address = PublicAddress()
    await address.server.start_server()
    try:
        yield address
    finally:
        await address.server.close()


@pytest.fixture
async def slack() -> AsyncIterator[RefusingSlack]:
    fake = RefusingSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def doctor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **environment: str
) -> tuple[int, list[str]]:
    """Run `okrbot doctor` with exactly these settings; its exit status and its lines."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["doctor"])
    return code, capsys.readouterr().out.splitlines()


def found(lines: list[str], level: str, subject: str, *words: str) -> bool:
    return any(
        line.startswith(f"{level:<8} {subject}:") and all(w in line for w in words)
        for line in lines
    )


@pytest.fixture(autouse=True)
def no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


async def test_all_is_well(
    database_url: str, slack: RefusingSlack, public: PublicAddress, monkeypatch, capsys
) -> None:
    code, lines = await doctor(
        monkeypatch,
        capsys,
        OKRBOT_DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-good-token",
        SLACK_SIGNING_SECRET="a-signing-secret",
        SLACK_API_URL=slack.api_url,
        OKRBOT_PUBLIC_URL=public.url,
    )
    assert code == 0, lines
    assert found(lines, "ok", "database", "answers")
    assert found(lines, "ok", "migrations", "newest")
    assert found(lines, "ok", "inbox", "no dead letters")
    assert found(lines, "ok", "slack", "auth.test accepts SLACK_BOT_TOKEN", "T1")
    assert found(lines, "ok", "teams", "off")
    assert found(lines, "warning", "public URL", "not https", "Fix:")  # loopback, so a warning
    assert found(lines, "ok", "public URL", "/healthz answers")
    assert found(lines, "warning", "public URL", "OKRBOT_SECRET_KEY", "no report link")
    (clock,) = [line for line in lines if line.startswith("ok       clock:")]
    assert int(re.search(r"(\d+) s away", clock).group(1)) <= 2
    assert [call.token for call in slack.to("auth.test")] == ["xoxb-good-token"]
    assert all(line.split()[0] in {"ok", "warning", "problem"} for line in lines)


async def test_a_database_at_an_old_migration_is_a_problem(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    await migrations.upgrade(engine, "0002")
    await engine.dispose()
    code, lines = await doctor(monkeypatch, capsys, OKRBOT_DATABASE_URL=url)
    assert code == 1
    assert found(lines, "problem", "migrations", "at migration 0002", "okrbot migrate")
    assert found(lines, "warning", "clock", "not checked")  # nothing answered with a date

    code, lines = await doctor(
        monkeypatch, capsys, OKRBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    )
    assert code == 1 and found(lines, "problem", "database", "no database", "okrbot migrate")
    assert not (tmp_path / "none.db").exists()  # doctor looked, and created nothing

    (tmp_path / "empty.db").touch()
    code, lines = await doctor(
        monkeypatch, capsys, OKRBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    )
    assert code == 1 and found(lines, "problem", "migrations", "no okrbot tables", "migrate")

    port = free_port()  # nothing listens there
    code, lines = await doctor(
        monkeypatch,
        capsys,
        OKRBOT_DATABASE_URL=f"postgresql+asyncpg://nobody@127.0.0.1:{port}/none",
    )
    assert code == 1 and found(lines, "problem", "database", "does not answer")


async def test_refused_and_unreadable_tokens_are_problems(
    database_url: str, slack: RefusingSlack, monkeypatch, capsys
) -> None:
    rig = await SlackRig.start(database_url, **(OAUTH | {"secret_key": "key-b"}))
    try:
        await install(rig)  # T9, whose token the fake accepts
        sessions = rig.server.okrbot.sessions
        for team, token, key in (("T7", REVOKED, "key-b"), ("T8", "xoxb-sealed", "key-c")):
            store = DatabaseInstallationStore(sessions, rig.clock, key)
            await store.async_save(Installation(team_id=team, user_id="U", bot_token=token))
    finally:
        await rig.close()
    code, lines = await doctor(
        monkeypatch,
        capsys,
        OKRBOT_DATABASE_URL=database_url,
        OKRBOT_SECRET_KEY="key-b",
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_API_URL=slack.api_url,
    )
    assert code == 1, lines
    assert found(lines, "problem", "slack", "SLACK_SIGNING_SECRET is not set", "Fix:")
    assert found(lines, "problem", "slack", "the token of T7", "token_revoked", "Fix:")
    assert found(lines, "problem", "slack", "T8", "cannot be decrypted", "Fix:")
    assert found(lines, "ok", "slack", "1 stored installation(s) pass auth.test")
    assert not any(token in "\n".join(lines) for token in (REVOKED, "xoxb-sealed"))


async def test_teams_public_url_and_clock(
    sqlite_url: str, monkeypatch, capsys, tmp_path: Path
) -> None:
    skewed = PublicAddress(skew=timedelta(minutes=10))
    await skewed.server.start_server()
    try:
        code, lines = await doctor(
            monkeypatch,
            capsys,
            OKRBOT_DATABASE_URL=sqlite_url,
            MICROSOFT_APP_ID="00000000-0000-0000-0000-00000000d0c7",
            MICROSOFT_APP_PASSWORD="an-app-password",
            TO_CHANNEL_FROM_BOT_LOGIN_URL=f"http://127.0.0.1:{free_port()}/tenant",
            OKRBOT_PUBLIC_URL=skewed.url,
        )
    finally:
        await skewed.server.close()
    assert code == 1
    assert found(lines, "problem", "teams", "no token", "MICROSOFT_APP_PASSWORD")
    (skew,) = [line for line in lines if line.startswith("problem  clock:")]
    assert "NTP" in skew and 598 <= int(re.search(r"(\d+) s away", skew).group(1)) <= 602
    assert "an-app-password" not in "\n".join(lines)

    code, lines = await doctor(
        monkeypatch,
        capsys,
        OKRBOT_DATABASE_URL=sqlite_url,
        OKRBOT_TEAMS_EMULATOR="1",
        OKRBOT_SECRET_KEY="a-key-to-sign-links",
        OKRBOT_PUBLIC_URL=f"http://okrbot.invalid:{free_port()}",
    )
    assert code == 1
    assert not found(lines, "warning", "public URL", "OKRBOT_SECRET_KEY")
    assert found(lines, "warning", "teams", "emulator mode", "MICROSOFT_APP_ID")
    assert found(lines, "problem", "public URL", "is not https")
    assert found(lines, "problem", "public URL", "cannot be reached")

    code, lines = await doctor(
        monkeypatch,
        capsys,
        OKRBOT_DATABASE_URL=sqlite_url,
        MICROSOFT_APP_ID="00000000-0000-0000-0000-00000000d0c7",
        OKRBOT_PUBLIC_URL="okrbot.example.com",
    )
    assert code == 1
    assert found(lines, "problem", "teams", "without MICROSOFT_APP_PASSWORD")
    assert found(lines, "problem", "public URL", "is not a web address")


async def test_the_teams_host_and_a_multi_tenant_bot(sqlite_url: str, monkeypatch, capsys) -> None:
    bot = {
        "OKRBOT_DATABASE_URL": sqlite_url,
        "MICROSOFT_APP_ID": "00000000-0000-0000-0000-00000000d0c7",
        "MICROSOFT_APP_PASSWORD": "an-app-password",
        "TO_CHANNEL_FROM_BOT_LOGIN_URL": f"http://127.0.0.1:{free_port()}/tenant",
    }
    _, lines = await doctor(monkeypatch, capsys, **bot, OKRBOT_TEAMS_SDK="botbuilder")
    assert found(lines, "warning", "teams", "OKRBOT_TEAMS_SDK=botbuilder", "archived", "Fix:")
    assert found(
        lines, "warning", "teams", "MultiTenant", "SingleTenant", "MICROSOFT_APP_TENANT_ID"
    )

    _, lines = await doctor(monkeypatch, capsys, **bot, OKRBOT_TEAMS_SDK="bolt")
    assert found(lines, "warning", "teams", "OKRBOT_TEAMS_SDK=bolt", "Agents SDK serves")

    single = {"MICROSOFT_APP_TYPE": "SingleTenant", "MICROSOFT_APP_TENANT_ID": "a-tenant"}
    _, lines = await doctor(monkeypatch, capsys, **bot, **single)
    assert found(lines, "ok", "teams", "Microsoft 365 Agents SDK serves Teams")
    assert not any("MultiTenant" in line or "archived" in line for line in lines)
