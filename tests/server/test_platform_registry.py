"""Platforms join through their one entry in bot.entry.platforms, and through nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from bot.admin import policies
from bot.clock import ManualClock
from bot.entry.app import build
from bot.entry.platforms import PLATFORMS
from bot.entry.server import create_server
from bot.runtime import outbox
from tests.support.settings import configured as configured_as
from tests.support.times import START

OWN_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", r"/report/{team}/{quarter}"),
    *(("GET", path) for path in policies.PATHS.values()),  # the pages the Teams package links
}
LISTED_ROUTES = {(route.method, route.path) for p in PLATFORMS for route in p.unserved()}

CONFIGURATIONS = {
    "none": {},
    "slack": {"slack_bot_token": "xoxb-1", "slack_signing_secret": "secret"},
    "slack and teams": {
        "slack_bot_token": "xoxb-1",
        "slack_signing_secret": "secret",
        "teams_emulator": True,
    },
}


@pytest.mark.parametrize("configured", CONFIGURATIONS)
async def test_the_server_mounts_its_own_routes_and_the_listed_platforms_routes_only(
    sqlite_url: str, configured: str
) -> None:
    settings = configured_as(sqlite_url, **CONFIGURATIONS[configured])
    okrbot = await build(settings, clock=ManualClock(START), migrate=False)
    server = create_server(okrbot)
    try:
        mounted = {
            (route.method, _path(route.resource))
            for route in server.web_app.router.routes()
            if route.method != "HEAD"  # aiohttp adds one to every GET
        }
        assert mounted == OWN_ROUTES | LISTED_ROUTES
        names = {platform.name for platform in PLATFORMS}
        assert set(server.connections.connected) <= names
        assert set(okrbot.ports) - {"console"} == set(server.connections.connected)
        async with okrbot.sessions() as session:
            assert set(session.info[outbox.PAGERS]) == names
    finally:
        await server.stop()
        await okrbot.close()


def _path(resource: Any) -> str:
    info = resource.get_info()
    return str(info.get("path") or info.get("formatter"))


def test_each_platform_answers_every_route_it_lists_while_it_is_not_configured() -> None:
    for platform in PLATFORMS:
        paths = [route.path for route in platform.unserved()]
        assert paths and len(paths) == len(set(paths)), platform.name
