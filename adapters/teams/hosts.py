"""What the Teams edge needs of the SDK that hosts it; two hosts provide it.

The edge (:mod:`adapters.teams.edge`) reads the request, maps the activity and plans the replies
with the shared pure functions; a host authenticates the request, runs the turn in its SDK
(:mod:`adapters.teams.agents_host`, the Microsoft 365 Agents SDK; :mod:`adapters.teams.
botbuilder_host`, botbuilder) and lends the turn its connector. Activities cross as Bot
Framework JSON, so no SDK type leaves its host.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class Refused(Exception):
    """The request is answered with this status before any turn: nothing read, nothing sent."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


@dataclass(frozen=True, slots=True)
class InvokeAnswer:
    status: int
    body: Any


class Turn(Protocol):
    """One activity's turn, as the edge uses it."""

    async def send(self, activity: Mapping[str, Any]) -> None:
        """Send an activity (Bot Framework JSON) into the turn's conversation."""

    async def update(self, activity: Mapping[str, Any]) -> None:
        """Replace a message sent earlier (the activity's ``id``) in the turn's conversation."""

    async def member(self, account: str) -> str:
        """The Entra object id of a member of the turn's conversation; "" when not known."""

    async def answer_invoke(self, status: int, body: Mapping[str, Any]) -> None:
        """Set the HTTP answer to an invoke activity."""


Logic = Callable[[Turn], Awaitable[None]]


class Host(Protocol):
    async def authenticate(self, body: Mapping[str, Any], header: str, *, within: float) -> object:
        """Check the request's token; what is returned is handed to :meth:`run`.

        Raises :class:`Refused` (401 without a valid token, 503 when keys do not answer).
        """

    async def run(
        self, checked: object, body: Mapping[str, Any], logic: Logic
    ) -> InvokeAnswer | None:
        """Run one turn; the answer to an invoke, if the turn set one."""
