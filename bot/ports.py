"""What the core needs from the outside world, as Protocols the composition fills in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from bot.events import ChatEvent, Due, Subject
from bot.replies import Delivery, Outcome, Reply

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

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None: ...


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


Session = TypeVar("Session")
"""The database session a job works in (the kernel does not name the database library)."""
Prepared = TypeVar("Prepared")
"""What a job's prepare step looked up on the platform, handed to its perform step."""

Reader = Callable[[], AbstractAsyncContextManager[Session]]
"""Opens a short transaction of its own, closed again when the block ends."""


@dataclass(frozen=True, slots=True)
class Planned(Generic[Subject]):
    """A run a planner found due: in which workspace, about what, at what time."""

    workspace_id: int
    subject: Subject
    due_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSpec(Generic[Session, Subject, Prepared]):
    """A kind of scheduled work, declared by the domain that does it.

    A run is stored as (name, subject key, due time); ``read_subject`` turns the key back into
    the typed subject (None: a key this job cannot read). ``prepare`` asks the platform what
    the run needs before its transaction opens (so no database lock waits on the network) and
    hands the answer to ``perform``, which writes the run's effects in that one transaction and
    returns the messages to send. ``plan`` says which runs fell due between two times, for jobs
    that come from a clock rather than from a person. A run missed by hours is skipped unless
    ``always_run``.
    """

    name: str
    subject_key: Callable[[Subject], str]
    read_subject: Callable[[str], Subject | None]
    perform: Callable[[Session, Due[Subject], Prepared], Awaitable[Sequence[Delivery]]]
    prepare: Callable[[Reader[Session], Due[Subject], Directory], Awaitable[Prepared]] | None = None
    plan: Callable[[Session, datetime, datetime], Awaitable[Iterable[Planned[Subject]]]] | None = (
        None
    )
    always_run: bool = False
