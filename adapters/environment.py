"""How a platform reads its settings from the environment, as the core reads its own."""

from __future__ import annotations

from collections.abc import Mapping

ON = frozenset({"1", "true", "yes", "on"})


def setting(values: Mapping[str, str], name: str, default: str = "") -> str:
    """The variable ``name``, without surrounding space; blank or missing: the default."""
    return values.get(name, "").strip() or default
