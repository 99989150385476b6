"""The platforms okrbot can serve: one line each, the only place that lists them.

Each entry is a :class:`bot.ports.platform.ChatPlatform` from its adapter
(``adapters/<name>/platform.py``) and, where the platform keeps something in okrbot's database,
the glue that keeps it (``bot/glue``). Everything else follows from this list: each platform
reads its own settings (:meth:`bot.entry.settings.Settings.from_environment`), the outbox pages
its messages with its pager (:func:`bot.entry.app.build`), ``okrbot serve`` and ``okrbot
run-due`` connect every configured platform (:meth:`bot.entry.app.Okrbot.connect`), the server
mounts their routes and starts their background work (:mod:`bot.entry.server`), ``okrbot
doctor`` runs their checks, the logs redact their secrets, and erasure asks the person's
platform to forget them. Teams' entry is light: Teams' stack loads only when Teams is
configured and connects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.console import CONSOLE
from adapters.slack.platform import SlackPlatform
from adapters.teams.platform import TeamsPlatform
from bot.admin.erasure import Forget
from bot.glue import slack_installations, teams_references
from bot.ports.platform import ChatPlatform
from bot.runtime.outbox import Pager

Registered = ChatPlatform[Any, async_sessionmaker[AsyncSession], AsyncSession]
"""A platform as this composition holds it: its settings its own, kept in its database."""

PLATFORMS: Sequence[Registered] = (
    SlackPlatform(slack_installations.GLUE),
    TeamsPlatform(teams_references.GLUE),
)


def names() -> list[str]:
    """Every platform's name, the console's last: what ``--platform`` of a command may say."""
    return [*(platform.name for platform in PLATFORMS), CONSOLE]


def pagers(platforms: Sequence[Registered]) -> Mapping[str, Pager]:
    """Each platform's pager, by name, for the outbox."""
    return {platform.name: platform.pages for platform in platforms}


def forgetting(name: str) -> Forget | None:
    """How the platform ``name`` forgets a person on erasure (None: a platform not listed)."""
    return next((p.forget for p in PLATFORMS if p.name == name), None)
