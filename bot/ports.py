"""What the core needs from the outside world, as Protocols the composition fills in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from bot.events import ChatEvent, EventKind, Turn
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
