"""`-v` is read wherever a person puts it: before the command or after it."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("argv", "logs_info"),
    [
        (["-v", "run-due"], True),
        (["run-due", "-v"], True),
        (["-vv", "run-due"], True),
        (["run-due"], False),
    ],
)
def test_verbose_flag_works_before_and_after_the_command(tmp_path, argv, logs_info):
    env = {
        **os.environ,
        "OKRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'okr.db'}",
        "OKRBOT_LOG_LEVEL": "WARNING",  # INFO is the default; -v must raise a quieter level
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", *argv, "--now", "2027-01-04T09:00Z"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert ("INFO" in done.stderr) is logs_info, done.stderr
    assert "planned 0, performed 0" in done.stderr
