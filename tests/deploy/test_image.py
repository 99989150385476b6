"""The Dockerfile builds from pinned inputs only and runs `okrbot serve` as a numeric user.

The image itself is built where a Docker engine runs; CI lints the Dockerfile with hadolint.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from tests.deploy.files import IMAGE_UID, ROOT

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuation lines joined, runs of blanks made one."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def arguments(keyword: str) -> list[str]:
    return [rest for name, rest in instructions() if name == keyword]


def test_every_stage_starts_from_the_base_pinned_by_digest() -> None:
    (base,) = [a for a in arguments("ARG") if a.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(
        r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", base
    ), base
    stages = arguments("FROM")
    assert len(stages) == 2  # wheels are built in one stage, installed in the other
    assert all(stage.split()[0] == "${PYTHON_IMAGE}" for stage in stages)


def test_the_dependencies_come_from_the_lock_files_with_their_hashes() -> None:
    copied = " ".join(arguments("COPY"))
    assert "requirements/runtime.txt requirements/build.txt requirements/" in copied
    runs = " ".join(arguments("RUN"))
    assert "pip wheel --require-hashes --wheel-dir /wheels -r requirements/runtime.txt" in runs
    assert "pip install --require-hashes -r requirements/build.txt" in runs
    # The project's own wheel is built with the locked setuptools, not one fetched on the fly.
    assert "pip wheel --no-deps --no-build-isolation --wheel-dir /wheels ." in runs
    assert "pip install --no-index --no-deps /wheels/*.whl && pip check" in runs


def test_every_package_of_the_distribution_is_copied_in() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {a.split()[0] for a in arguments("COPY") if not a.startswith("--")}
    assert packages <= copied, packages - copied
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert not {"requirements", "pyproject.toml", "README.md"} & ignored


def test_it_runs_okrbot_serve_as_a_numeric_user() -> None:
    (user,) = arguments("USER")
    assert user == f"{IMAGE_UID}:{IMAGE_UID}"
    (entrypoint,) = arguments("ENTRYPOINT")
    (command,) = arguments("CMD")
    assert json.loads(entrypoint) + json.loads(command) == ["okrbot", "serve"]
    (port,) = arguments("EXPOSE")
    assert port == "3000"


def test_the_health_check_asks_healthz_with_python() -> None:
    (check,) = arguments("HEALTHCHECK")
    options, _, command = check.partition(" CMD ")
    assert "--interval=" in options
    program = json.loads(command)
    assert program[:2] == ["python", "-c"]  # the slim image has no curl
    assert "http://127.0.0.1:3000/healthz" in program[2]
    compile(program[2], "HEALTHCHECK", "exec")


@pytest.mark.parametrize("variable", ["PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"])
def test_python_writes_nothing_and_logs_at_once(variable: str) -> None:
    # The runtime stage's environment: a read-only root file system needs no byte-code cache.
    runtime = DOCKERFILE.read_text().split("FROM ${PYTHON_IMAGE}\n", 1)[1]
    assert variable in runtime
