"""docs/operations.md names only files that exist and commands that okrbot has."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.deploy.files import ROOT

DOC = (ROOT / "docs" / "operations.md").read_text()
# The code in the page: fenced blocks without their comments, and inline spans.
CODE = "\n".join(
    [re.sub(r"(^|\s)#.*", "", block) for block in re.findall(r"```[a-z]*\n(.*?)```", DOC, re.S)]
    + re.findall(r"`([^`\n]+)`", DOC)
)
# `okrbot run-due`, `docker compose run --rm okrbot outbox`; not `-n okrbot` (a namespace),
# `okrbot:0.1.0` (an image) or `/opt/okrbot/bin` (a path).
_COMMAND = re.compile(r"(?<![\w/-])(?<!-n )okrbot ([a-z][a-z-]*)")
# Files the page tells the reader to write themselves.
THEIRS = {"secret.yaml", "kustomization.yaml", "okrbot.env", "okrbot.dump"}


def okrbot_commands() -> set[str]:
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True
    ).stdout
    listed = shown.split("COMMAND\n", 1)[1]
    return set(re.findall(r"^    ([a-z-]+)\s", listed, re.MULTILINE))


def test_every_file_it_names_exists() -> None:
    named = set(re.findall(r"`((?:deploy|requirements|migrations|tests|\.ci)/[\w./-]*)`", DOC))
    named |= set(re.findall(r"`([\w.-]+\.(?:ya?ml|txt|md))`", DOC))
    assert "deploy/kubernetes/base" in named
    places = (ROOT, ROOT / "deploy" / "kubernetes" / "base")
    missing = [
        name
        for name in sorted(named - THEIRS)
        if not any((place / name).exists() for place in places)
    ]
    assert missing == []


def test_every_okrbot_command_it_runs_exists() -> None:
    used = set(_COMMAND.findall(CODE))
    assert {"serve", "migrate", "run-due", "export", "outbox", "demo"} <= used
    assert used <= okrbot_commands(), used - okrbot_commands()
