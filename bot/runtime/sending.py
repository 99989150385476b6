"""Sending one claimed outbox message through its platform's ChatPort.

Every way a send can end becomes a ``Result``: sent (with the platform's message id), due
again after a wait (a rate limit, not counted; other passing trouble, counted), or a dead
letter (the platform refused for good). A message a crash left uncertain is first looked for,
where the port can mark and find its messages, so it is not posted twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.ports import (
    ChatPort,
    DeliveryFailed,
    MarkingChatPort,
    NotAuthorized,
    RateLimited,
    RetryLater,
)
from bot.replies import Audience, reply_from_dict
from bot.runtime import outbox
from storage.outbox import DeadReason

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sending:
    """A claimed outbox row, as the worker holds it while it sends."""

    row_id: int
    key: str
    attempts: int
    audience: str
    target_id: str
    payload: dict[str, Any]
    platform: str
    workspace: str
    uncertain: bool
    claimed_at: datetime
    failing_since: datetime | None

    @property
    def conversation(self) -> tuple[str, str, str, str]:
        return (self.platform, self.workspace, self.audience, self.target_id)


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one send: sent, due again after a wait, or a dead letter."""

    job: Sending
    message_id: str | None = None
    wait: timedelta | None = None  # due again after this
    failed: bool = False  # a failed attempt (a 429 is none)
    dead: DeadReason | None = None
    note: str = ""


async def send(port: ChatPort, job: Sending) -> Result:
    """Send one claimed message and say what became of it; never raises for the platform."""
    reply = reply_from_dict(job.payload)
    try:
        if isinstance(port, MarkingChatPort):
            if job.uncertain:
                found = await _look_for(port, job)
                if found is not None:
                    log.info("outbox message %s had been sent before a crash", job.row_id)
                    return Result(job, message_id=found)
            message_id = await port.send_marked(
                job.workspace, job.audience, job.target_id, reply, key=outbox.mark(job.key)
            )
        elif job.audience == Audience.PERSON:
            message_id = await port.send_direct(job.workspace, job.target_id, reply)
        else:
            message_id = await port.send(job.workspace, job.target_id, reply)
    except RateLimited as slow_down:
        told = timedelta(seconds=slow_down.retry_after or 0)
        return Result(job, wait=max(told, outbox.RATE_LIMIT_WAIT), note=str(slow_down))
    except RetryLater as trouble:
        later = (
            timedelta(seconds=trouble.retry_after)
            if trouble.retry_after is not None
            else outbox.backoff(job.attempts + 1)
        )
        return Result(job, wait=later, failed=True, note=str(trouble))
    except NotAuthorized as refused:
        note = f"refused by {job.platform}: {refused}"
        return Result(job, dead=DeadReason.UNAUTHORIZED, note=note)
    except DeliveryFailed as refused:
        return Result(job, dead=DeadReason.REFUSED, note=f"refused by {job.platform}: {refused}")
    except Exception as error:  # a bug or an unexpected answer: try again later
        log.exception("outbox message %s could not be sent", job.row_id)
        return Result(job, wait=outbox.backoff(job.attempts + 1), failed=True, note=repr(error))
    return Result(job, message_id=message_id)


async def _look_for(port: MarkingChatPort, job: Sending) -> str | None:
    """Ask the platform whether a message whose fate a crash hid went out after all."""
    try:
        return await port.find_marked(
            job.workspace,
            job.audience,
            job.target_id,
            key=outbox.mark(job.key),
            since=job.claimed_at,
        )
    except DeliveryFailed as blind:  # not allowed to read there: send, as without a mark
        log.info("cannot tell whether outbox message %s went out (%s)", job.row_id, blind)
        return None
