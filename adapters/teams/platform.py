"""Teams as the composition sees it: an entry in its list of platforms (``ChatPlatform``).

This module stays light: a deployment without Teams imports it and none of Teams' stack
(botbuilder, botframework, the Agents SDK), which :mod:`adapters.teams.connecting` loads only
when Teams is configured. Conversation references and people are kept in okrbot's database by
the composition's glue (``bot.glue.teams_references``), handed in as :class:`TeamsGlue`, since an
adapter does not reach storage; so is forgetting a person on erasure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from aiohttp import web

from adapters.teams import cards
from adapters.teams.references import ReferenceStore
from adapters.teams.settings import MESSAGES_PATH, TEAMS, TeamsSettings
from bot.ports import Clock
from bot.ports.platform import Checkup, Connected, Database, HttpRoute, Offered
from bot.replies import Reply

Session = TypeVar("Session")


@dataclass(frozen=True, slots=True)
class TeamsGlue(Generic[Database, Session]):
    """What Teams keeps in the composition's database: its conversations and people."""

    references: Callable[[Database, Clock], ReferenceStore]
    forget: Callable[[Session, str], Awaitable[tuple[dict[str, int], list[str]]]]


class TeamsPlatform(Generic[Database, Session]):
    """Microsoft Teams, for the composition's list of platforms."""

    name = TEAMS

    def __init__(self, glue: TeamsGlue[Database, Session]) -> None:
        self._glue = glue

    def read(self, values: Mapping[str, str]) -> TeamsSettings:
        return TeamsSettings.read(values)

    def secrets(self, settings: TeamsSettings) -> Sequence[str]:
        return settings.secrets()

    def pages(self, reply: Reply) -> Sequence[Reply]:
        return cards.pages(reply)

    def configured(self, settings: TeamsSettings) -> bool:
        """On with a bot identity, or for the local emulator when asked for explicitly."""
        return bool(settings.microsoft_app_id) or settings.teams_emulator

    def unserved(self) -> Sequence[HttpRoute]:
        async def not_configured(_request: web.Request) -> web.Response:
            # Never configured: nothing is read, nothing is sent.
            return web.Response(status=404, text="Microsoft Teams is not configured")

        return (HttpRoute("POST", MESSAGES_PATH, not_configured),)

    def connect(
        self, settings: TeamsSettings, offered: Offered[Database], *, serving: bool
    ) -> Connected:
        """Teams' port and directory; with ``serving``, the edge of ``/api/messages`` too."""
        # Imported here, so that a deployment without Teams loads none of its stack (about a
        # third of okrbot's start-up and hundreds of modules).
        from adapters.teams import connecting

        store = self._glue.references(offered.database, offered.clock)
        return connecting.connect(settings, offered, store, serving=serving)

    async def check(self, settings: TeamsSettings, database: Database | None) -> Checkup:
        from adapters.teams import checks  # here: only `okrbot doctor` loads what it checks with

        return await checks.check(settings)

    async def forget(self, session: Session, user_id: str) -> tuple[dict[str, int], list[str]]:
        return await self._glue.forget(session, user_id)
