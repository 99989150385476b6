"""Run `okrbot` in this process, as a person would from a shell."""

import io
import json
import sys

from bot.entry.cli import main


class Shell:
    """`okrbot` with a database, stdin fed from a string, stdout read back."""

    def __init__(self, monkeypatch, capsys, database_url):
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        monkeypatch.setenv("OKRBOT_DATABASE_URL", database_url)

    def run(self, *argv, stdin=""):
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        return code, self._capsys.readouterr().out

    def chat(self, *lines, workspace="W1", channel="C1", user="U1"):
        code, out = self.run(
            "chat",
            "--workspace",
            workspace,
            "--channel",
            channel,
            "--user",
            user,
            stdin="".join(f"{line}\n" for line in lines),
        )
        assert code == 0, out
        return out

    def export(self, *argv):
        code, out = self.run("export", *argv)
        assert code == 0
        return [json.loads(line) for line in out.splitlines()]
