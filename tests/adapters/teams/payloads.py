"""Bot Framework activities as Teams posts them, kept as JSON files next to this module."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "activities"
TENANT = "tenant-0001"
BOT_ID = "28:okrbot-app-id"
ADA = "00000000-0000-0000-0000-00000000ada1"
GRACE = "00000000-0000-0000-0000-0000000grace"
CHANNEL = "19:checkout-channel@thread.tacv2"
PERSONAL_GRACE = "a:1personal-grace-conversation"


def activity(name: str, **changes: Any) -> dict[str, Any]:
    """A fresh copy of a stored activity, with top-level fields replaced."""
    loaded: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    return {**copy.deepcopy(loaded), **changes}
