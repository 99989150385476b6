"""The Teams app manifest offers the bot where okrbot answers, with commands it understands."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.teams import inbound
from bot.runtime.router import COMMAND_WORDS

MANIFEST = json.loads((Path(__file__).parents[3] / "teams" / "manifest.json").read_text())


def test_the_bot_lives_in_personal_chats_teams_and_group_chats() -> None:
    [bot] = MANIFEST["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["botId"] == MANIFEST["id"] == "YOUR-MICROSOFT-APP-ID"
    assert not bot["isNotificationOnly"]


def test_every_suggested_command_is_one_the_bot_understands() -> None:
    [commands] = MANIFEST["bots"][0]["commandLists"]
    words = {c["title"].split()[0] for c in commands["commands"]}
    assert words == set(COMMAND_WORDS)
    for command in commands["commands"]:
        assert inbound.command_word(command["title"], COMMAND_WORDS)
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128
