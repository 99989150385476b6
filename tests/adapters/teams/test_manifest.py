"""The Teams app manifest offers the bot where okrbot answers, with commands it understands.

Both the committed ``teams/manifest.json`` and the one ``okrbot teams-package`` zips validate
against Microsoft's schema for manifest 1.29 (vendored in tests/schemas/teams).
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from adapters.teams import inbound
from bot.admin import teams_package
from bot.entry import cli
from bot.runtime.router import COMMAND_WORDS

ROOT = Path(__file__).parents[3]
MANIFEST = json.loads((ROOT / "teams" / "manifest.json").read_text())
SCHEMA = json.loads((ROOT / "tests/schemas/teams/teams-manifest.v1.29.schema.json").read_text())
APP_ID = "6b1f3c2e-8d4a-4f0e-9c7b-2a5d1e9f0c33"


def test_the_committed_manifest_is_the_one_the_package_is_built_from() -> None:
    Draft4Validator(SCHEMA).validate(MANIFEST)
    placeholders = (teams_package.PLACEHOLDER_APP_ID, teams_package.PLACEHOLDER_HOST)
    assert teams_package.manifest(*placeholders) == MANIFEST, (
        "teams/manifest.json differs from bot.admin.teams_package.manifest(); it should be:\n"
        + json.dumps(teams_package.manifest(*placeholders), indent=2)
    )


def test_the_bot_lives_in_personal_chats_teams_and_group_chats() -> None:
    assert MANIFEST["manifestVersion"] == "1.29"
    [bot] = MANIFEST["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["botId"] == MANIFEST["id"] == teams_package.PLACEHOLDER_APP_ID
    assert not bot["isNotificationOnly"]


def test_every_suggested_command_is_one_the_bot_understands() -> None:
    [commands] = MANIFEST["bots"][0]["commandLists"]
    words = {c["title"].split()[0] for c in commands["commands"]}
    assert words == set(COMMAND_WORDS)
    for command in commands["commands"]:
        assert inbound.command_word(command["title"], COMMAND_WORDS)
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128


def png_size_and_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Read back a PNG the package wrote: its size, and its RGBA rows (filter type 0)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        chunks[kind] = chunks.get(kind, b"") + body
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 4 * width
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(row[0] == 0 for row in rows)
    return width, height, [row[1:] for row in rows]


def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **environment: str) -> int:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("MICROSOFT_APP_ID", "OKRBOT_PUBLIC_URL", "OKRBOT_PRIVACY_URL", "OKRBOT_TERMS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return cli.main(["teams-package", "--output", str(tmp_path / "app.zip")])


def test_okrbot_teams_package_builds_an_installable_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = build(
        tmp_path,
        monkeypatch,
        MICROSOFT_APP_ID=APP_ID,
        OKRBOT_PUBLIC_URL="https://okrbot.teams.example.org:8443/",
    )
    assert status == 0
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
        color = png_size_and_pixels(archive.read("color.png"))
        outline = png_size_and_pixels(archive.read("outline.png"))
    Draft4Validator(SCHEMA).validate(manifest)
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["okrbot.teams.example.org:8443"]
    site = "https://okrbot.teams.example.org:8443"
    assert manifest["developer"] == {  # pages okrbot serves itself (tests/server/test_policies.py)
        "name": "okrbot",
        "websiteUrl": f"{site}/",
        "privacyUrl": f"{site}/privacy",
        "termsOfUseUrl": f"{site}/terms",
    }
    assert color[:2] == (192, 192) and outline[:2] == (32, 32)
    # The outline icon is white on transparent, as Teams asks.
    pixels = {bytes(row[x : x + 4]) for row in outline[2] for x in range(0, len(row), 4)}
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}


def test_an_operator_may_link_their_organisations_own_privacy_notice_and_terms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = build(
        tmp_path,
        monkeypatch,
        MICROSOFT_APP_ID=APP_ID,
        OKRBOT_PUBLIC_URL="https://okrbot.example.org/",
        OKRBOT_PRIVACY_URL="https://example.org/legal/privacy",
        OKRBOT_TERMS_URL="https://example.org/legal/chat-tools",
    )
    assert status == 0
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    Draft4Validator(SCHEMA).validate(manifest)
    assert manifest["developer"]["privacyUrl"] == "https://example.org/legal/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://example.org/legal/chat-tools"
    assert manifest["developer"]["websiteUrl"] == "https://okrbot.example.org/"


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"OKRBOT_PUBLIC_URL": "https://okrbot.example.org/"}, "MICROSOFT_APP_ID"),
        ({"MICROSOFT_APP_ID": "not-a-guid", "OKRBOT_PUBLIC_URL": "https://a.example/"}, "GUID"),
        ({"MICROSOFT_APP_ID": APP_ID}, "OKRBOT_PUBLIC_URL"),
        ({"MICROSOFT_APP_ID": APP_ID, "OKRBOT_PUBLIC_URL": "http://a.example/"}, "https://"),
        (
            {
                "MICROSOFT_APP_ID": APP_ID,
                "OKRBOT_PUBLIC_URL": "https://a.example/",
                "OKRBOT_PRIVACY_URL": "intranet/privacy",
            },
            "OKRBOT_PRIVACY_URL must be an https:// address",
        ),
    ],
)
def test_without_an_app_id_or_a_public_address_it_says_what_to_set(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    said: str,
) -> None:
    assert build(tmp_path, monkeypatch, **environment) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "app.zip").exists()
