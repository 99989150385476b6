import pytest

from tests.cli.helpers import Shell


@pytest.fixture
def shell(monkeypatch, capsys, tmp_path, database_url):
    monkeypatch.chdir(tmp_path)  # no stray .env file from the working directory
    return Shell(monkeypatch, capsys, database_url)
