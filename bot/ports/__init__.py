"""What the core needs from the outside world, as Protocols the composition fills in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

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


@runtime_checkable
class MarkingChatPort(Protocol):
    """A ChatPort that marks each message with a key and can find it again by that key: after a
    crash the outbox cannot know whether a claimed message went out; it looks before resending."""

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
    def now(self) -> datetime: ...  # timezone-aware, in UTC


class Meter(Protocol):
    """Where the runtime counts what passes through it (in memory, on a hot path: never waits,
    never does I/O); the composition keeps the counts."""

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
    """What one module answers: its commands, forms by id, buttons by action id (members of its
    domain's ``StrEnum``), other events; the composition refuses two claims on one of them."""

    words: tuple[CommandWord, ...] = ()
    commands: tuple[Command[Session], ...] = ()
    notes: tuple[HelpNote, ...] = ()
    forms: Mapping[str, TurnHandler[Session]] = field(default_factory=dict)
    actions: Mapping[str, TurnHandler[Session]] = field(default_factory=dict)
    events: Mapping[EventKind, TurnHandler[Session]] = field(default_factory=dict)
    conversations: tuple[ConversationHandler[Session], ...] = ()


TurnDeclaration = Callable[[TurnHandler[Session]], TurnHandler[Session]]


class RouteBook(Generic[Session]):
    """Where a handler module declares what it answers, on each handler (``@routes.command(
    "okr", "kr add", usage=...)``); the composition merges every module's ``table()``."""

    def __init__(self) -> None:
        self._words: list[CommandWord] = []
        self._commands: list[Command[Session]] = []
        self._notes: list[HelpNote] = []
        self._turns: dict[str, dict[str, TurnHandler[Session]]] = {"form": {}, "action": {}}
        self._events: dict[EventKind, TurnHandler[Session]] = {}
        self._conversations: list[ConversationHandler[Session]] = []

    def word(self, word: str, description: str, unknown: str = "", alone: str = "") -> str:
        """Declare a command's first word (``/okr``); returns it, to name its commands by."""
        self._words.append(CommandWord(word, description, unknown, alone))
        return word

    def note(self, section: str, text: str) -> None:
        """A line of ``/okr help`` under ``section`` that is not one command."""
        self._notes.append(HelpNote(section, text))

    def command(
        self,
        word: str,
        sub: str,
        *,
        usage: str = "",
        summary: str = "",
        section: str = "",
        leads: bool = False,
        menu: str = "",
        hint: str | None = None,
    ) -> Callable[[CommandHandler[Session]], CommandHandler[Session]]:
        """Answer ``/word sub ...`` with the handler below (see :class:`Command`)."""

        def declare(handler: CommandHandler[Session]) -> CommandHandler[Session]:
            said = Command(word, sub, handler, usage, summary, section, leads, menu, hint)
            self._commands.append(said)
            return handler

        return declare

    def form(self, *form_ids: str) -> TurnDeclaration[Session]:
        """Answer the submissions of these forms with the handler below."""
        return self._claim(self._turns["form"], "form", form_ids)

    def action(self, *action_ids: str) -> TurnDeclaration[Session]:
        """Answer these buttons (members of the domain's action ``StrEnum``)."""
        return self._claim(self._turns["action"], "action", action_ids)

    def event(self, kind: EventKind) -> TurnDeclaration[Session]:
        """Answer every event of this kind (a reaction, a shortcut)."""
        return self._claim(self._events, "event", (kind,))

    def conversation(self, handler: ConversationHandler[Session]) -> ConversationHandler[Session]:
        """Offer the handler below each direct message that is no command."""
        self._conversations.append(handler)
        return handler

    def table(self) -> Routes[Session]:
        """What this module declared, as one domain's routes."""
        said = tuple(self._words), tuple(self._commands), tuple(self._notes)
        forms, actions = dict(self._turns["form"]), dict(self._turns["action"])
        return Routes(*said, forms, actions, dict(self._events), tuple(self._conversations))

    @staticmethod
    def _claim(claims: dict[Any, Any], what: str, keys: Iterable[str]) -> TurnDeclaration[Session]:
        def declare(handler: TurnHandler[Session]) -> TurnHandler[Session]:
            for key in keys:
                if key in claims:
                    raise ValueError(f"{what} declared twice: {key}")
                claims[key] = handler
            return handler

        return declare
