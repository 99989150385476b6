"""What the log lines written right now are about: the event in hand, its workspace, its platform.

The unit of work (bot.runtime.units) sets it while it handles an event, and the log set-up
(bot.entry.logs) writes it on every line, whichever library's logger wrote the line. It names
no person: a Teams event id holds a chat's id (a 1:1 chat names its person), so the event is
given as the start of the digest the processed-event ledger keeps of it, never as the id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from bot.events import ChatEvent
from storage import ledger

FIELDS = ("platform", "workspace", "event_id")
# Enough of the ledger's digest to tell events apart in a log, and to find the ledger's row.
EVENT_DIGITS = 16

_NOTHING: Mapping[str, str] = MappingProxyType({})
_ABOUT: ContextVar[Mapping[str, str]] = ContextVar("okrbot_log_context", default=_NOTHING)


def current() -> Mapping[str, str]:
    """The fields every log line written now should carry (none outside an event)."""
    return _ABOUT.get()


@contextmanager
def about(**fields: str) -> Iterator[None]:
    """Add ``fields`` (empty ones left out) to every log line written inside the block."""
    token = _ABOUT.set(MappingProxyType({**_ABOUT.get(), **{k: v for k, v in fields.items() if v}}))
    try:
        yield
    finally:
        _ABOUT.reset(token)


def of_event(event: ChatEvent, event_key: bytes | None) -> dict[str, str]:
    """The log fields of an inbound event: its platform, workspace and digested event id."""
    digest = ledger.event_digest(event_key, event.platform, event.event_id)
    return {
        "platform": event.platform,
        "workspace": event.workspace_id,
        "event_id": digest[:EVENT_DIGITS] if event.event_id else "",
    }
