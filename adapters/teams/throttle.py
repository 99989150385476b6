"""How fast okrbot posts into one Teams tenant, and the pause a tenant's 429 asks for.

Teams counts a bot's requests per tenant as well as per conversation: about 50 a second for
the whole tenant, whichever conversations they go to. A burst across many conversations (a
retrospective opening that writes to every member's 1:1 chat) is spaced to stay under that;
when Teams still answers 429 with a ``Retry-After``, every conversation of that tenant waits
it out, not only the one that was refused, since it is the tenant's budget that ran out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Pacer, SystemClock
from bot.ports import Clock, RateLimited

TENANT_SENDS_PER_SECOND = 45
"""A margin under the tenant's 50 a second: the requests of a turn's own replies count too."""
DEFAULT_PAUSE = 1.0  # seconds, when a throttled answer says nothing of how long


class TenantThrottle:
    """Space a tenant's requests evenly; hold them all while the tenant is paused."""

    def __init__(
        self,
        per_second: float = TENANT_SENDS_PER_SECOND,
        *,
        clock: Clock | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._pacer = pacer or Pacer(1 / per_second if per_second > 0 else 0.0)
        self._paused: dict[str, datetime] = {}

    def pause(self, tenant: str, seconds: float | None) -> None:
        """Hold every request to ``tenant`` for as long as Teams asked."""
        until = self._clock.now() + timedelta(seconds=seconds or DEFAULT_PAUSE)
        self._paused[tenant] = max(until, self._paused.get(tenant, until))

    def check(self, tenant: str) -> None:
        """Raise :class:`RateLimited` with the time left while ``tenant`` is paused."""
        until = self._paused.get(tenant)
        if until is None:
            return
        left = (until - self._clock.now()).total_seconds()
        if left <= 0:
            del self._paused[tenant]
            return
        raise RateLimited(f"Teams asked okrbot to wait in tenant {tenant}", retry_after=left)

    async def wait(self, tenant: str) -> None:
        """Return when a request to ``tenant`` may go, or raise while the tenant is paused."""
        self.check(tenant)
        await self._pacer.wait(tenant)
        self.check(tenant)  # a 429 may have come while this one waited for its turn
