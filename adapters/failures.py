"""What a platform's HTTP answer means for a message: wait, try again later, or give up.

Slack and Teams answer alike where HTTP speaks for them: 429 asks to slow down for
``Retry-After`` seconds (and so do 412 and 503 when they carry one), other 5xx and 408 are
passing trouble, 401 refuses the bot's credentials, and any other refusal is for good. Each
adapter reads its own error codes first and falls back on :func:`from_status`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater

T = TypeVar("T")


def retry_after(headers: Mapping[str, Any] | None) -> float | None:
    """Read ``Retry-After`` (seconds, never negative) from an answer's headers; None if absent.

    A header may come as a string or as the list of its values (the first one counts).
    """
    for name, value in dict(headers or {}).items():
        if str(name).lower() != "retry-after":
            continue
        told = value[0] if isinstance(value, list | tuple) and value else value
        try:
            return max(0.0, float(told))
        except (TypeError, ValueError):
            return None
    return None


def from_status(call: str, status: int, headers: Mapping[str, Any] | None = None) -> Exception:
    """The failure an HTTP status (with its headers) stands for."""
    wait = retry_after(headers)
    if status == 429 or (status in (412, 503) and wait is not None):
        return RateLimited(f"{call}: throttled ({status})", wait)
    if status >= 500 or status == 408:
        return RetryLater(f"{call}: {status}")
    if status == 401:
        return NotAuthorized(f"{call}: {status}")
    return DeliveryFailed(f"{call}: {status}")


def pause_before_retry(trouble: Exception, failures: int, longest: float) -> float | None:
    """Seconds to wait before trying again after ``failures`` failures; None: do not.

    A rate limit is waited out as the platform says (a second when it does not); other
    passing trouble backs off, doubling from one second up to ``longest``.
    """
    if isinstance(trouble, RateLimited):
        return 1.0 if trouble.retry_after is None else trouble.retry_after
    if isinstance(trouble, RetryLater):
        if trouble.retry_after is not None:
            return trouble.retry_after
        return min(2.0**failures, longest)
    return None


async def patiently(
    attempt: Callable[[], Awaitable[T]],
    *,
    read: Callable[[Exception], Exception],
    patience: float,
    longest: float,
    each: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Try a reply until it goes, waiting as the platform asks, for ``patience`` seconds.

    ``read`` says what a failure means (:func:`from_status`, or the platform's own codes); a
    failure that no wait can help is raised at once, as is the last one when patience runs
    out. With ``each``, every try is bounded by that many seconds and its time counts against
    the patience too: a peer that takes the request and never answers must not hold a turn.
    """
    waited = 0.0
    tries_failed = 0
    while True:
        began = time.monotonic()
        try:
            return await (attempt() if each is None else asyncio.wait_for(attempt(), each))
        except Exception as error:
            pause = pause_before_retry(read(error), tries_failed, longest)
            if each is not None:
                waited += time.monotonic() - began
            if pause is None or waited + pause > patience:
                raise
            tries_failed += 1
            waited += pause
            await sleep(pause)
