"""Rotating OKRBOT_SECRET_KEY: installed with key A, rotated to "B,A", then with only B, every
install keeps working; a token no key can read is reported, never dropped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.entry.cli import main
from bot.glue import keys
from bot.glue.slack_installations import DatabaseInstallationStore, unseal
from tests.server.rig import SlackRig
from tests.server.test_slack_oauth import OAUTH, install, rows

KEY_A = "the old passphrase A"
KEY_B = "the new passphrase B"
KEY_C = "a key nobody kept"
INSTALLED = "xoxb-installed-secret-token"


async def okrbot(
    *argv: str, secret_key: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> int:
    """Run `okrbot` as from a shell (in a thread: it runs its own event loop)."""
    monkeypatch.setenv("OKRBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("OKRBOT_SECRET_KEY", secret_key)
    return await asyncio.to_thread(main, list(argv))


async def answers_with_its_token(database_url: str, secret_key: str) -> None:
    """A Slack command over the signed HTTP edge is answered, and a DM sent with the token."""
    rig = await SlackRig.start(database_url, **(OAUTH | {"secret_key": secret_key}))
    try:
        created = await rig.command("/okr team create Nine", team="T9")
        assert created.status == 200 and "Nine" in created.json()["text"]
        await rig.command("/okr concern Velocity: we split stories to look fast", team="T9")
        assert await rig.deliver() >= 1
        sent = rig.fake.to("chat.postMessage")
        assert sent and all(call.token == INSTALLED for call in sent)
        for _ in range(3):  # the first probe starts a check of every stored token
            ready = await rig.client.get("/readyz")
            assert ready.status == 200 and await ready.text() == "ready"
            await asyncio.sleep(0.2)
    finally:
        await rig.close()


async def test_rotating_to_a_new_key_keeps_every_install_working(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    rig = await SlackRig.start(database_url, **(OAUTH | {"secret_key": KEY_A}))
    try:
        await install(rig)
        (before,) = await rows(rig)
    finally:
        await rig.close()

    code = await okrbot(
        "rotate-key",
        secret_key=f"{KEY_B},{KEY_A}",
        database_url=database_url,
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert "Re-encrypted 1 stored token(s) with the newest key." in capsys.readouterr().out

    rig = await SlackRig.start(database_url, **(OAUTH | {"secret_key": KEY_B}))
    try:
        (after,) = await rows(rig)
    finally:
        await rig.close()
    assert after.sealed != before.sealed and INSTALLED not in after.sealed
    assert unseal(after.sealed, KEY_A) is None  # only the new key reads it now
    assert unseal(after.sealed, KEY_B) is not None
    await answers_with_its_token(database_url, f"{KEY_B},{KEY_A}")
    await answers_with_its_token(database_url, KEY_B)


async def test_a_token_no_key_can_read_is_reported_loudly(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)
    rig = await SlackRig.start(database_url, **(OAUTH | {"secret_key": KEY_B}))
    try:
        await install(rig)  # T9, sealed with B
        lost = DatabaseInstallationStore(rig.server.okrbot.sessions, rig.clock, KEY_C)
        await lost.async_save(
            Installation(
                team_id="T8",
                user_id="U8",
                bot_token="xoxb-sealed-with-c",
                bot_user_id="UBOT8",
                bot_id="B8",
            )
        )
    finally:
        await rig.close()
    capsys.readouterr()

    code = await okrbot(
        "rotate-key",
        secret_key=f"{KEY_B},{KEY_A}",
        database_url=database_url,
        monkeypatch=monkeypatch,
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "Re-encrypted 1 stored token(s)" in captured.out
    assert "1 Slack installation(s)" in captured.err and "T8" in captured.err
    assert "xoxb-sealed-with-c" not in captured.out + captured.err
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("T8" in r.getMessage() for r in errors)

    rig = await SlackRig.start(database_url, **(OAUTH | {"secret_key": f"{KEY_B},{KEY_A}"}))
    try:
        assert len(await rows(rig)) == 2  # nothing dropped
        for _ in range(50):  # the first probe starts a check of every stored token
            ready = await rig.client.get("/readyz")
            detail = await ready.text()
            if detail != "ready":
                break
            await asyncio.sleep(0.1)
        assert ready.status == 200 and detail.startswith("ready; 1 Slack installation(s)")
        assert "T8" in detail and "T9" not in detail
        caplog.clear()
        await rig.command("/okr help", team="T8")  # it stops working: say so, at ERROR
        assert any(r.levelno == logging.ERROR and "T8" in r.getMessage() for r in caplog.records)
        served = await rig.command("/okr team create Nine", team="T9")  # the others work
        assert served.status == 200 and "Nine" in served.json()["text"]
        one_at_a_time = await keys.rotate(rig.server.okrbot.sessions, KEY_B, batch=1)
        assert (one_at_a_time.rotated, one_at_a_time.unreadable) == (1, ["T8"])
    finally:
        await rig.close()


def test_each_key_is_derived_once_per_process() -> None:
    keys.derived.cache_clear()
    for _ in range(3):
        keys.fernet_for(f"{KEY_B}, {KEY_A}")
    assert keys.derived.cache_info().misses == 3  # B, A, and "B, A" as one older key


def test_a_passphrase_with_a_comma_sealed_before_keys_were_listed_is_still_read() -> None:
    old = "one, two"
    sealed = keys.derived(old).encrypt(b"token").decode()
    assert keys.readable(sealed, old)
    assert keys.fernet_for(old).rotate(sealed.encode()) != sealed.encode()
    assert keys.secret_keys(f" {KEY_B} ,, {KEY_A} ") == (KEY_B, KEY_A)
    with pytest.raises(keys.MissingSecretKey):
        keys.fernet_for(" , ")
