"""What the core needs from the outside world, as Protocols the composition fills in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from bot.events import ChatEvent, Due, EventKind, Subject, Turn
from bot.replies import Delivery, Outcome, Reply

EventHandler = Callable[[ChatEvent], Awaitable[Outcome]]
"""What an adapter calls with each event; the composition hands one to every adapter."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """A verified event as the platform sent it, to keep in the inbox before it is acked.

    ``conversation`` is where it happened (a channel, a direct message): events of one
    conversation are handled in the order they were stored.
    """

    platform: str
    workspace_id: str
    event_id: str
    conversation: str
    body: str
    received_at: datetime


Enqueue = Callable[[Inbound], Awaitable[None]]
"""Keep an event in the inbox; returns once it is committed, raises ``Unavailable`` if not."""

Apply = Callable[[str, datetime], Awaitable[None]]
"""Handle a stored body (as received at the given time); raising leaves it to be retried."""


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


class Meter(Protocol):
    """Where the runtime counts what passes through it; the composition keeps the counts.

    Each call is on a hot path: it counts in memory and returns, never waits, never does I/O.
    """

    def event_received(self, platform: str, kind: str) -> None: ...

    def event_repeated(self, platform: str, kind: str) -> None:
        """A retried event found its ledger row: it changed nothing."""

    def event_failed(self, platform: str, kind: str) -> None: ...

    def message_sent(self, platform: str) -> None: ...

    def message_rate_limited(self, platform: str) -> None: ...

    def message_dead(self, platform: str, reason: str) -> None: ...

    def run_performed(self, job: str, late: float) -> None:
        """A scheduled run was performed ``late`` seconds after it fell due."""


Session = TypeVar("Session")
"""The database session a handler or a job works in (the kernel does not name the library)."""

TurnHandler = Callable[[Session, Turn], Awaitable[Outcome]]
"""Answer a form, a button, a reaction or a shortcut, inside the event's unit of work."""

CommandHandler = Callable[[Session, Turn, str], Awaitable[Outcome]]
"""Answer a chat command; the text is what follows its words (``/okr kr add <text>``)."""


@dataclass(frozen=True, slots=True)
class CommandWord:
    """A command's first word (``/story``), as the platforms' menus list it.

    ``unknown`` is the private answer when no command of this word matches; ``alone`` is the
    command a bare ``/word`` means (its sub-word), or "" when the bare word is unknown too.
    """

    word: str
    description: str
    unknown: str = ""
    alone: str = ""


@dataclass(frozen=True, slots=True)
class Command(Generic[Session]):
    """One chat command, declared with its handler: ``/word sub <usage> — summary``.

    ``sub`` may hold several words (``team create``) or none (the word takes any text).
    ``section`` is its heading in ``/okr help`` ("" keeps it out of help); ``menu`` describes
    it in the platforms' command menus ("" keeps it out of them), with ``hint`` as a shorter
    usage there when the full one would crowd the menu.
    """

    word: str
    sub: str
    handler: CommandHandler[Session]
    usage: str = ""
    summary: str = ""
    section: str = ""
    leads: bool = False
    menu: str = ""
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class HelpNote:
    """A line of ``/okr help`` that is not one command (a tip, a variant of a command)."""

    section: str
    text: str


ConversationHandler = Callable[[Session, Turn], Awaitable[Outcome | None]]
"""Take a direct message that is no command; None when it is not for this domain."""


@dataclass(frozen=True, slots=True)
class Routes(Generic[Session]):
    """What one domain answers: its commands, forms by id, buttons by action id, other events.

    Action ids are members of the domain's own ``StrEnum``; the composition merges the routes
    of every domain and refuses two claims on the same word, form, action or event.
    """

    words: tuple[CommandWord, ...] = ()
    commands: tuple[Command[Session], ...] = ()
    notes: tuple[HelpNote, ...] = ()
    forms: Mapping[str, TurnHandler[Session]] = field(default_factory=dict)
    actions: Mapping[str, TurnHandler[Session]] = field(default_factory=dict)
    events: Mapping[EventKind, TurnHandler[Session]] = field(default_factory=dict)
    conversations: tuple[ConversationHandler[Session], ...] = ()


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
