"""`okrbot demo` needs nothing but itself; `okrbot migrate` readies a database."""

import io
import re
import shutil
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect

from bot.entry.cli import main


def test_the_demo_plays_a_quarter_and_leaves_nothing_behind(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OKRBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mine.db'}")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    assert main(["demo"]) == 0

    out = capsys.readouterr().out
    for seen in (
        "U1 in #C1> /okr team create Checkout tz=Europe/Berlin",
        "Saved your learning story for Checkout",
        "[1] Add what changed",
        "!form story_outcome outcome=...",
        "okrbot → @U1 (direct):",  # the concern reaches the lead
        "okrbot → #C1: Shout-out to Checkout",
        "Your weekly learning digest for Checkout",
        "/retro start",
        "okrbot → @U4 (direct): A gentle reminder",  # U4 has not finished; U1 and U3 have
        "Checkout's retrospective of 4 January 2027 has closed. 3 of 3 people answered",
        "What we learned",
    ):
        assert seen in out
    for finished in ("U1", "U3"):
        assert f"okrbot → @{finished} (direct): A gentle reminder" not in out
    for trouble in ("okrbot failed on", "I didn't recognise", "no button", "directive"):
        assert trouble not in out
    assert list(tmp_path.iterdir()) == []  # the user's own database was never touched
    [report] = re.findall(r"learning report, one page to open in a browser: (\S+)", out)
    page = Path(report).read_text(encoding="utf-8")
    assert page.count('<svg id="chart-') == 3 and "Checkout: what we learned in 2027Q1" in page
    shutil.rmtree(Path(report).parent)


def test_migrate_brings_an_empty_database_to_the_newest_schema(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "okrbot.db"
    monkeypatch.setenv("OKRBOT_DATABASE_URL", f"sqlite+aiosqlite:///{database}")

    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # and again, changing nothing

    tables = set(inspect(create_engine(f"sqlite:///{database}")).get_table_names())
    assert {"workspace", "team", "learning_story", "shout_out", "alembic_version"} <= tables


def test_an_unreachable_database_is_reported_without_a_traceback(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "no" / "such" / "dir" / "okrbot.db"
    monkeypatch.setenv("OKRBOT_DATABASE_URL", f"sqlite+aiosqlite:///{missing}")

    assert main(["export"]) == 1
    assert "the database at" in capsys.readouterr().err
