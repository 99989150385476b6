"""The Microsoft Teams app package: ``manifest.json`` and its two icons, zipped.

The manifest is written here rather than copied, so that an installed okrbot builds it with no
source tree at hand: schema 1.29, the bot in personal chats, teams and group chats, its command
list from the route table (the same commands the router understands), and the bot's app id and
the host of ``OKRBOT_PUBLIC_URL`` filled in. ``teams/manifest.json`` in the repository is this
manifest with placeholders, kept equal to it by the tests.

The icons are drawn here too, as PNGs written with zlib (okrbot has no imaging library and two
small icons do not warrant one): a 192×192 colour icon, a white target on green, and the
32×32 outline icon Teams wants, the same target in white on transparent.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bot.admin import policies
from bot.runtime import routes
from bot.runtime.router import TABLE

SCHEMA_VERSION = "1.29"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/"
    f"v{SCHEMA_VERSION}/MicrosoftTeams.schema.json"
)
APP_VERSION = "1.0.0"
PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_HOST = "okrbot.example.com"
GREEN = (0x2E, 0x7D, 0x32)
WHITE = (0xFF, 0xFF, 0xFF)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

Pixel = tuple[int, int, int, int]


class PackageError(ValueError):
    """What the package cannot be built without, said so that an operator can fix it."""


def host_of(public_url: str) -> str:
    """The host (and port, if any) users reach okrbot at, from ``OKRBOT_PUBLIC_URL``."""
    parts = urlsplit(public_url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(
            "OKRBOT_PUBLIC_URL must be the https:// address Teams reaches okrbot at "
            f"(got {public_url!r})"
        )
    return parts.netloc


def link(url: str, setting: str) -> str:
    """An operator's own link for the app's details, which Teams takes only over https."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(f"{setting} must be an https:// address (got {url!r})")
    return url.strip()


def manifest(
    app_id: str, host: str, *, privacy_url: str = "", terms_url: str = ""
) -> dict[str, Any]:
    """The app manifest for a bot with this Microsoft app id, served at this host.

    Its developer links are the pages okrbot serves there (``bot.admin.policies``), unless the
    operator names their organisation's own privacy notice or terms.
    """
    if not _GUID.match(app_id):
        raise PackageError(
            "MICROSOFT_APP_ID must be the bot's Microsoft app id, a GUID such as "
            f"{PLACEHOLDER_APP_ID} (got {app_id!r})"
        )
    scopes = ["personal", "team", "groupChat"]
    site = f"https://{host}"
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": SCHEMA_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": "okrbot",
            "websiteUrl": f"{site}{policies.PATHS['about']}",
            "privacyUrl": link(privacy_url, "OKRBOT_PRIVACY_URL")
            if privacy_url
            else f"{site}{policies.PATHS['privacy']}",
            "termsOfUseUrl": link(terms_url, "OKRBOT_TERMS_URL")
            if terms_url
            else f"{site}{policies.PATHS['terms']}",
        },
        "name": {
            "short": "okrbot",
            "full": "okrbot: OKR retrospectives, learning stories and shout-outs",
        },
        "description": {
            "short": "Reward learning and outcomes, not outputs.",
            "full": (
                "okrbot runs quarterly OKR retrospectives in chat, collects learning stories "
                "and customer-impact stories, lets people thank other teams for how they work, "
                "and sends leads a weekly learning digest. Recognition is kept apart from "
                "key-result attainment."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*GREEN),
        "bots": [
            {
                "botId": app_id,
                "scopes": scopes,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": scopes, "commands": routes.teams_commands(TABLE)},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
    }


def package(app_id: str, public_url: str, *, privacy_url: str = "", terms_url: str = "") -> bytes:
    """The app package (a zip) for Teams' "Upload a custom app" or its admin center."""
    described = manifest(app_id, host_of(public_url), privacy_url=privacy_url, terms_url=terms_url)
    body = json.dumps(described, indent=2, ensure_ascii=False)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", body + "\n")
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return out.getvalue()


def color_icon() -> bytes:
    """192×192: a white target on a green square."""
    return _png(192, _target(192, background=(*GREEN, 255), ink=(*WHITE, 255)))


def outline_icon() -> bytes:
    """32×32: the target in white on a transparent ground, as Teams' outline icons are."""
    return _png(32, _target(32, background=(0, 0, 0, 0), ink=(*WHITE, 255)))


def _target(size: int, *, background: Pixel, ink: Pixel) -> Callable[[int, int], Pixel]:
    """Concentric rings and a bull's eye, scaled to ``size``."""
    middle = (size - 1) / 2
    unit = size / 32  # the rings are laid out on the 32×32 grid and scaled up
    rings = [(13.5 * unit, 15.5 * unit), (7.5 * unit, 10.0 * unit), (0.0, 4.5 * unit)]

    def pixel(x: int, y: int) -> Pixel:
        distance = ((x - middle) ** 2 + (y - middle) ** 2) ** 0.5
        return ink if any(inner <= distance <= outer for inner, outer in rings) else background

    return pixel


def _png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """A square RGBA PNG (colour type 6, 8 bits), each row unfiltered."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows, 9)),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
