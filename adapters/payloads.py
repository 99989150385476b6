"""Reading the JSON a platform posts: each field by its path, never trusting its type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text_of(payload: Any, *path: str) -> str:
    """Walk ``payload`` along ``path``; anything missing or not a string reads as ""."""
    node: Any = payload
    for key in path:
        if not isinstance(node, Mapping):
            return ""
        node = node.get(key)
    return node if isinstance(node, str) else ""


def mapping_at(payload: Any, *path: str) -> Mapping[str, Any] | None:
    """Walk ``payload`` along ``path`` to an object; None when there is none."""
    node: Any = payload
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


def first(items: Any) -> Mapping[str, Any]:
    """The first element of a list when it is an object; else an empty one."""
    if isinstance(items, list) and items and isinstance(items[0], Mapping):
        return items[0]
    return {}
