"""Read the deployment files the way their tools do, for the tests next to this one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
SCHEMAS = ROOT / "tests" / "schemas"
KUBERNETES = ROOT / "deploy" / "kubernetes"
# The user the image runs as (Dockerfile `USER`), which the manifests must name too.
IMAGE_UID = 10001


def yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every YAML document in a file, each a mapping."""
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    assert all(isinstance(doc, dict) for doc in documents), path
    return documents


_VARIABLE = re.compile(r"[\"']((?:OKRBOT|SLACK|MICROSOFT|TO_BOT|TO_CHANNEL)_[A-Z0-9_]+)[\"']")


def settings_variables() -> set[str]:
    """The environment variables okrbot's code names: the core's under bot/, each platform's in
    its adapter (``adapters/<platform>/settings.py``)."""
    names: set[str] = set()
    for package in ("bot", "adapters"):
        for module in (ROOT / package).rglob("*.py"):
            names.update(_VARIABLE.findall(module.read_text()))
    return names
