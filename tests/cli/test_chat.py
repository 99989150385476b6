"""`okrbot chat`: a console session on stdin, exiting 0 at the end of the input."""

import os
import subprocess
import sys
from pathlib import Path

from retrospectives import texts
from retrospectives.okrs.concerns import texts as concern_texts
from tests.support.transcripts import ANY, shows

ROOT = Path(__file__).resolve().parents[2]


def test_a_piped_session_stores_a_learning_story_that_export_shows(shell):
    out = shell.chat(
        "/okr team create Checkout",
        "/story learning hypothesis: one-page checkout lifts completion | learned: it did not"
        " | result: invalidated",
    )
    assert shows(out, texts.team_created, "Checkout", ANY)
    assert texts.learning_saved("Checkout", invalidated=True) in out
    [story] = [r for r in shell.export() if r["type"] == "learning_story"]
    assert story["hypothesis"] == "one-page checkout lifts completion"
    assert story["learned"] == "it did not"
    assert story["result"] == "invalidated"
    assert (story["team"], story["author_id"], story["workspace"]) == ("Checkout", "U1", "W1")


def test_deliveries_are_printed_right_after_the_line_that_caused_them(shell):
    out = shell.chat(
        "/okr team create Checkout",
        "!user U2",
        "/okr concern Tickets closed: we close them too early",
        "!user U3",
        "/okr concern Handle time: we rush calls anonymous",
        "/okr help",
    )
    lines = out.splitlines()
    concern = next(i for i, line in enumerate(lines) if "/okr concern Tickets" in line)
    delivered = next(i for i, line in enumerate(lines) if line.startswith("okrbot → @U1"))
    then = next(i for i, line in enumerate(lines) if "!user U3" in line)
    assert concern < delivered < then
    told = "\n".join(lines[delivered:then])
    assert shows(told, concern_texts.for_leads, "Checkout", ANY, "U2")
    # An anonymous concern is not delivered as it is typed: its timing could name its author.
    assert "Handle time" not in "\n".join(lines[then:]).split("/okr concern Handle time")[1]


def test_bad_input_gets_clear_messages_and_exits_0(shell):
    out = shell.chat("!frobnicate", "!time garbage", "!press 9", "/okr frobnicate", "")
    assert "don't know the directive '!frobnicate'" in out
    assert "can't read 'garbage' as a time" in out
    assert "no button to press" in out
    assert "/okr help" in out


def test_a_second_session_on_the_same_database_is_not_taken_for_a_retry(shell):
    shell.chat("/okr team create Checkout", "/story impact who: buyers | after: they return")
    shell.chat("/story impact who: sellers | after: they list more")
    stories = [r for r in shell.export() if r["type"] == "impact_story"]
    assert [s["who"] for s in stories] == ["buyers", "sellers"]


def test_python_dash_m_bot_is_okrbot(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'okrbot.db'}"
    env = {**os.environ, "OKRBOT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    lines = (
        "/okr team create Checkout\n"
        "/story learning hypothesis: one-page checkout lifts completion | learned: it did not"
        " | result: invalidated\n"
    )
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--channel", "C1", "--user", "U1"],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert chat.returncode == 0, chat.stderr
    exported = subprocess.run(
        [sys.executable, "-m", "bot", "export"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    assert '"result": "invalidated"' in exported.stdout
