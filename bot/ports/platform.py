"""What a chat platform is to the composition: its entry in the list of platforms, what it is
offered and what it connects, and what its checks find for ``okrbot doctor``.

An adapter implements :class:`ChatPlatform` in its ``platform.py``; the composition lists it
once (``bot.entry.platforms``) and everything else follows from that entry: its settings, its
routes, its port and directory, its background work, its checks and its secrets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from bot.events import Apply, Enqueue, Platform
from bot.ports import ChatPort, Clock, Directory, EventHandler
from bot.replies import Reply

HttpHandler = Callable[[Any], Awaitable[Any]]  # the web library's: request in, response out


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """A route a platform serves; ``acked``: its answer is the platform's ack (timed)."""

    method: str
    path: str
    handler: HttpHandler
    acked: bool = False


Database = TypeVar("Database")  # the composition's database: a platform hands it to its glue
Config = TypeVar("Config")  # the platform's own settings, which it reads from the environment
Held = TypeVar("Held", contravariant=True)  # the session erasure works in


@dataclass(frozen=True, slots=True, kw_only=True)
class Offered(Generic[Database]):
    """What the composition hands a platform it connects."""

    database: Database
    clock: Clock
    handle: EventHandler
    spawn: Callable[[Coroutine[Any, Any, None]], None]  # work after an ack, timed by the meter
    command_words: tuple[str, ...]
    pacing: float | None = None  # seconds between sends to one conversation; None: its own
    enqueue: Enqueue | None = None  # keeps a verified event in the inbox (serve only)


class Connected(Protocol):
    """A platform connected: the port the outbox sends through, the directory the scheduler
    asks, the HTTP routes it serves (none when it only sends) and a note for ``/readyz``."""

    port: ChatPort
    directory: Directory
    apply: Apply | None  # handles what its edge kept in the inbox; None: it keeps nothing

    def routes(self) -> Sequence[HttpRoute]: ...
    def readiness(self) -> str | None: ...
    async def start(self, *, socket: bool) -> bool:
        """Start what it runs beside its routes; with ``socket`` (``okrbot serve
        --socket-mode``) its own connection for events too, where it has one: whether it did."""

    async def stop(self) -> None:
        """Stop taking events (the server then finishes the work under way)."""

    async def close(self) -> None: ...


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    """What one check found, and for a warning or a problem, what to do about it."""

    level: Level
    subject: str
    says: str
    fix: str = ""

    def line(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.level.value:<8} {self.subject}: {self.says}.{fix}"


@dataclass
class Checkup:
    """The findings so far, and the Date headers of the answers that came with them."""

    findings: list[Finding] = field(default_factory=list)
    dates: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def add(self, level: Level, subject: str, says: str, fix: str = "") -> None:
        self.findings.append(Finding(level, subject, says, fix))

    def answered(self, source: str, date_header: str | None) -> None:
        """Keep a peer's Date header (and when it came) to compare this machine's clock with."""
        if date_header and not self.dates:
            try:
                self.dates.append((source, parsedate_to_datetime(date_header), datetime.now(UTC)))
            except (TypeError, ValueError):
                return

    def extend(self, other: Checkup) -> None:
        """Add what another check found, after what this one found."""
        self.findings.extend(other.findings)
        self.dates.extend(other.dates[: 0 if self.dates else 1])


class ChatPlatform(Protocol[Config, Database, Held]):
    """A chat platform as the composition sees it, whatever its SDK: one entry in its list."""

    name: Platform

    def read(self, values: Mapping[str, str]) -> Config: ...  # its settings, from the environment
    def secrets(self, settings: Config) -> Sequence[str]: ...  # what no log line may show
    def pages(self, reply: Reply) -> Sequence[Reply]: ...  # the messages a reply needs there
    def configured(self, settings: Config) -> bool: ...
    def unserved(self) -> Sequence[HttpRoute]: ...  # its routes while it is not configured
    def connect(self, settings: Config, offered: Offered[Database], *, serving: bool) -> Connected:
        """Connect its port and directory; ``serving``: its HTTP edge too (not in run-due)."""

    async def check(self, settings: Config, database: Database | None) -> Checkup:
        """``okrbot doctor``'s checks of it; ``database`` is None while it is not migrated."""

    async def forget(self, session: Held, user_id: str) -> tuple[dict[str, int], list[str]]:
        """Erase what it keeps of a person: counts by label, and their conversations' ids."""
