"""Durable outbound messages: written with the work that causes them, delivered once.

A reply longer than one platform message is split when it is written, by that platform's
renderer, into pages that each fit, and each page is a row of its own: the first keeps the
delivery's key, the others add ``#2``, ``#3`` … to it. Every page then has what any message
has: it is written once (the keys are unique), sent once (a sent row is never sent again,
so a 429 on page 3 resends neither page 1 nor page 2), and in order, since a conversation's
rows go out in the order they were written, and none overtakes one that waits. Splitting at
delivery instead would make one row stand for several messages, and a failure halfway would
have to remember which of them went out.

Rate limits delay a message and never end it; other passing troubles (5xx, timeouts, a lost
connection) are retried with a capped backoff for up to :data:`MAX_FAILING`; only a platform's
final refusal (channel gone, bot removed, credentials revoked) makes a dead letter at once.
Dead letters stay visible (``okrbot outbox --dead``, ``/metrics``) until an operator retries
them (``okrbot outbox retry``).

This module writes the rows and holds the delivery policy; ``bot.runtime.delivery`` claims and
sends them (``bot.runtime.sending``) and records each result (``bot.runtime.journal``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.replies import Delivery, Reply, reply_to_dict
from storage import outbox as outbox_rows
from storage.core import Workspace

MAX_FAILING = timedelta(hours=24)
"""How long a message may keep failing (5xx, timeouts, no connection) before it is dead.

An age, not an attempt count: with a backoff capped at ten minutes, eight attempts are over
in a quarter of an hour, which a platform incident or a network outage easily outlasts. A day
outlasts those, overnight ones included, while a prompt or a shout-out older than a day has
lost its moment; it is then a dead letter the operator sees and may send again.
"""
MAX_BACKOFF = timedelta(minutes=10)

Pager = Callable[[Reply], Sequence[Reply]]
"""Split a reply into the messages a platform can hold, in order (one when it fits)."""

PAGERS = "okrbot.pagers"
"""Where a session's ``info`` holds each platform's pager, by platform name: the composition
puts them there (``bot.entry.app.build``) from its list of platforms, so this floor names none."""


def page_key(key: str, number: int) -> str:
    """The idempotency key of a delivery's ``number``th page (the first keeps the key)."""
    return key if number == 1 else f"{key}#{number}"


RATE_LIMIT_WAIT = timedelta(seconds=1)
"""The least wait after a 429 (and the wait when the platform names none)."""
LEASE = timedelta(seconds=30)
"""How long a claim holds when its worker stops renewing it (it died): work resumes then."""


async def enqueue(
    session: AsyncSession,
    *,
    workspace_id: int,
    delivery: Delivery,
    now: datetime,
    not_before: datetime | None = None,
    pagers: Mapping[str, Pager] | None = None,
) -> bool:
    """Write one delivery to the outbox, a row per page; a key seen before adds nothing."""
    written = await enqueue_many(
        session,
        deliveries=[(workspace_id, delivery)],
        now=now,
        not_before=not_before,
        pagers=pagers,
    )
    return written > 0


async def enqueue_many(
    session: AsyncSession,
    *,
    deliveries: Iterable[tuple[int, Delivery]],
    now: datetime,
    not_before: datetime | None = None,
    pagers: Mapping[str, Pager] | None = None,
) -> int:
    """Write deliveries (each with its workspace's id), a row per page, in one statement (per
    500 rows); keys seen before (a retried run) add nothing. Returns how many rows were new.

    An opening's prompts to a whole team, or a Monday pass's digests to a hundred leads, are
    one INSERT, not one per person. Each workspace is read once (the session's identity map
    keeps a row only while something holds it).
    """
    workspaces: dict[int, Workspace | None] = {}
    rows = []
    for workspace_id, delivery in deliveries:
        if workspace_id not in workspaces:
            workspaces[workspace_id] = await session.get(Workspace, workspace_id)
        pages = _pages(session, workspaces[workspace_id], delivery, pagers)
        rows += [
            outbox_rows.row(
                workspace_id=workspace_id,
                key=page_key(delivery.key, number),
                audience=delivery.audience.value,
                target_id=delivery.target_id,
                payload=reply_to_dict(page),
                now=now,
                not_before=not_before,
            )
            for number, page in enumerate(pages, 1)
        ]
    return await outbox_rows.enqueue(session, rows)


def _pages(
    session: AsyncSession,
    workspace: Workspace | None,
    delivery: Delivery,
    pagers: Mapping[str, Pager] | None,
) -> Sequence[Reply]:
    """A delivery's reply as the messages its workspace's platform can hold."""
    pagers = session.info.get(PAGERS, {}) if pagers is None else pagers
    pager = pagers.get(workspace.platform) if workspace is not None else None
    return pager(delivery.reply) if pager else [delivery.reply]


async def enqueue_all(session: AsyncSession, *, turn: Turn, deliveries: Iterable[Delivery]) -> None:
    await enqueue_many(
        session, deliveries=[(turn.workspace_id, d) for d in deliveries], now=turn.now
    )


def backoff(attempts: int) -> timedelta:
    """Wait 2, 4, 8 ... seconds between attempts, never more than ten minutes."""
    return min(timedelta(seconds=2 ** min(max(attempts, 1), 20)), MAX_BACKOFF)


def mark(key: str) -> str:
    """What a message carries on the platform to be found again: a digest of its key.

    A digest, because keys name people and subjects, and other apps in the conversation may
    read a message's metadata.
    """
    return hashlib.sha256(key.encode()).hexdigest()[:32]
