"""What the core needs from the outside world, as Protocols the composition fills in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.events import ChatEvent
from bot.replies import Outcome, Reply

EventHandler = Callable[[ChatEvent], Awaitable[Outcome]]
"""What an adapter calls with each event; the composition hands one to every adapter."""


class Unavailable(Exception):
    """The core cannot take an event now (its database is away): the platform should retry."""


class DeliveryFailed(Exception):
    """A platform refused a message for good (channel gone, bot removed): do not retry."""


class NotAuthorized(DeliveryFailed):
    """The platform no longer takes the bot's credentials (token revoked, app uninstalled)."""


class RetryLater(Exception):
    """A platform asked us to slow down or is unavailable for now."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class RateLimited(RetryLater):
    """The platform asked us to slow down: wait as long as it says; nothing failed."""


class ChatPort(Protocol):
    """Send messages on one platform. Methods return the platform's message id."""

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str: ...

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str: ...


@runtime_checkable
class MarkingChatPort(Protocol):
    """A ChatPort that marks each message with a key and can find it again by that key.

    After a crash the outbox cannot know whether a message it had claimed went out; a port
    like this lets it look before sending again.
    """

    async def send_marked(
        self, workspace_id: str, audience: str, target_id: str, reply: Reply, *, key: str
    ) -> str: ...

    async def find_marked(
        self, workspace_id: str, audience: str, target_id: str, *, key: str, since: datetime
    ) -> str | None: ...


class Directory(Protocol):
    """Look up people on one platform."""

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]: ...

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
