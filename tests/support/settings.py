"""Settings written compactly: each value goes where it belongs, the core's or a platform's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from bot.entry.platforms import PLATFORMS, Registered
from bot.entry.settings import Settings


def configured(
    database_url: str, platforms: Sequence[Registered] = PLATFORMS, **values: Any
) -> Settings:
    """Settings with these values, by field name (``slack_bot_token="xoxb-1"``,
    ``teams_emulator=True``, ``public_url=...``): each goes to the core and to every platform
    whose settings have that field, as the environment's variable would (``secret_key`` goes to
    both, since Slack seals its tokens with it). A name nobody has fails."""
    own = {f.name for f in fields(Settings)}
    known = set(own)
    read = {}
    for platform in platforms:
        default = platform.read({})
        theirs = {f.name for f in fields(default)}
        known |= theirs
        read[platform.name] = replace(default, **{k: v for k, v in values.items() if k in theirs})
    if unknown := set(values) - known:
        raise TypeError(f"no setting is named {', '.join(sorted(unknown))}")
    core = {k: v for k, v in values.items() if k in own}
    return Settings(database_url=database_url, platforms=read, **core)
