"""Which SDK serves Teams: OKRBOT_TEAMS_SDK, the Agents SDK unless botbuilder is asked for."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.teams.agents_host import AgentsHost
from adapters.teams.botbuilder_host import BotbuilderHost
from adapters.teams.settings import TEAMS, TeamsSettings
from bot.entry.platforms import PLATFORMS
from bot.entry.settings import Settings
from tests.server.teams_rig import TeamsRig

APP = {"microsoft_app_id": "6b1f3c2e-8d4a-4f0e-9c7b-2a5d1e9f0c33", "microsoft_app_password": "pw"}


def teams_sdk(environment: dict[str, str]) -> str:
    settings = Settings.from_environment(environment, env_file=None, platforms=PLATFORMS)
    teams: TeamsSettings = settings.platforms[TEAMS]
    return teams.teams_sdk


def test_the_agents_sdk_is_the_default_and_botbuilder_is_chosen_by_name() -> None:
    assert teams_sdk({}) == "agents"
    assert teams_sdk({"OKRBOT_TEAMS_SDK": "BotBuilder"}) == "botbuilder"


@pytest.mark.parametrize(
    ("overrides", "host"),
    [
        ({"teams_sdk": "agents", **APP}, AgentsHost),
        ({"teams_sdk": "agents"}, AgentsHost),  # the emulator's mode
        ({"teams_sdk": "something-else", **APP}, AgentsHost),
        ({"teams_sdk": "botbuilder", **APP}, BotbuilderHost),
        (
            {
                "teams_sdk": "agents",
                "microsoft_app_type": "UserAssignedMSI",
                "microsoft_app_tenant_id": "11111111-2222-3333-4444-555555555555",
                **APP,
            },
            BotbuilderHost,
        ),
    ],
)
async def test_the_host_serving_teams(
    sqlite_url: str, overrides: dict[str, Any], host: type[object]
) -> None:
    rig = await TeamsRig.start(sqlite_url, **overrides)
    try:
        assert rig.teams.edge is not None
        assert isinstance(rig.teams.edge.host, host)
    finally:
        await rig.close()
