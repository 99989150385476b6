"""The route table: one declaration per command, and everything made of it stays in step."""

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import Command, CommandWord, RouteBook, Routes
from bot.replies import Outcome, Refusal
from bot.runtime import router, routes

ROOT = Path(__file__).parents[2]
SLACK_URL = "https://YOUR-HOST/slack/events"


def test_the_committed_slack_manifest_lists_the_tables_commands() -> None:
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text())
    wanted = routes.slack_slash_commands(router.TABLE, SLACK_URL)
    assert manifest["features"]["slash_commands"] == wanted, (
        "slack/manifest.yaml differs from the route table; its slash_commands should be:\n"
        + yaml.safe_dump(wanted, sort_keys=False)
    )


def test_the_committed_teams_manifest_lists_the_tables_commands() -> None:
    manifest = json.loads((ROOT / "teams" / "manifest.json").read_text())
    [commands] = manifest["bots"][0]["commandLists"]
    wanted = routes.teams_commands(router.TABLE)
    assert commands["commands"] == wanted, (
        "teams/manifest.json differs from the route table; its commands should be:\n"
        + json.dumps(wanted, indent=2)
    )
    assert len(wanted) <= 10  # Teams shows at most ten commands in a list


def test_the_command_words_come_from_the_table() -> None:
    assert router.COMMAND_WORDS == ("okr", "story", "retro", "shoutout")


def test_help_has_a_line_for_every_command_in_a_section() -> None:
    shown = "\n".join(s.text for s in router.help_reply().replies[0].sections)
    for command in router.TABLE.commands:
        if command.section:
            assert routes.help_line(command) in shown
    titles = [s.title for s in router.help_reply().replies[0].sections]
    assert titles == [
        "Teams and key results",
        "Stories",
        "Retrospectives",
        "Shout-outs",
        "For leads",
    ]


async def _said(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    return Outcome()


WORDS = (CommandWord("okr", "", "unknown", alone="help"),)
TABLE: Routes[AsyncSession] = Routes(
    words=WORDS,
    commands=(
        Command("okr", "help", _said),
        Command("okr", "kr", _said),
        Command("okr", "kr add", _said),
    ),
)


@pytest.mark.parametrize(
    ("args", "sub", "rest"),
    [
        ("kr add Weekly buyers  grow", "kr add", "Weekly buyers  grow"),
        ("KR  ADD\nBuyers", "kr add", "Buyers"),
        ("kr", "kr", ""),
        ("kr list", "kr", "list"),
        ("", "help", ""),
    ],
)
def test_the_longest_sub_word_wins_and_the_rest_is_kept(args: str, sub: str, rest: str) -> None:
    command, said = routes.find_command(TABLE, WORDS[0], args)
    assert (command.sub, said) == (sub, rest)


def test_an_unknown_sub_word_is_refused_with_the_words_hint() -> None:
    with pytest.raises(Refusal, match="unknown"):
        routes.find_command(TABLE, WORDS[0], "krypton")


def test_a_command_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        routes.merge(TABLE, Routes(commands=(Command("okr", "kr", _said),)))
    with pytest.raises(ValueError, match="undeclared"):
        routes.merge(Routes(commands=(Command("story", "", _said),)))


async def _turned(session: AsyncSession, turn: Turn) -> Outcome:
    return Outcome()


def test_a_handler_module_declares_its_routes_on_its_handlers() -> None:
    book = RouteBook[AsyncSession]()
    word = book.word("okr", "Teams", "unknown", alone="help")
    declared = book.command(word, "kr add", usage="<text>", summary="add one", leads=True)(_said)
    book.form("kr-form")(_turned)
    table = book.table()
    assert declared is _said
    assert table.words == (CommandWord("okr", "Teams", "unknown", "help"),)
    assert table.commands == (
        Command("okr", "kr add", _said, usage="<text>", summary="add one", leads=True),
    )
    assert table.forms == {"kr-form": _turned}


def test_a_form_claimed_twice_in_one_module_is_refused() -> None:
    book = RouteBook[AsyncSession]()
    book.form("kr-form")(_turned)
    with pytest.raises(ValueError, match="form declared twice: kr-form"):
        book.form("kr-form")(_turned)
