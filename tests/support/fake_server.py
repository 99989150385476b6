"""The plumbing every fake platform API shares: a real HTTP server on a free port of 127.0.0.1.

A fake declares its routes, records each request it accepts in ``calls`` and answers like the
platform does; scripted failures (``Refusals``) make it answer 429 with a Retry-After instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, Self, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestServer


class Call(Protocol):
    def text(self) -> str:
        """Everything this call would show a person, as one JSON string."""
        ...


C = TypeVar("C", bound=Call)


@dataclass
class Refusals:
    """Scripted failures: refuse the next ``now`` requests; with ``nth``, the nth counted one."""

    now: int = 0  # refuse this many of the next requests
    nth: int = 0  # refuse the counted request this many from now (1: the next), then go on

    def due(self, counted: bool = True) -> bool:
        """Whether to refuse this request (``counted``: it is of the kind ``nth`` counts)."""
        if counted and self.nth > 0:
            self.nth -= 1
            self.now += self.nth == 0
        if self.now > 0:
            self.now -= 1
            return True
        return False


class RefusalCount:
    """A fake's attribute that reads and sets one count of one of its :class:`Refusals`."""

    def __init__(self, refusals: str, count: str) -> None:
        self.refusals, self.count = refusals, count

    def __get__(self, fake: object, owner: type | None = None) -> int:
        return int(getattr(getattr(fake, self.refusals), self.count))

    def __set__(self, fake: object, value: int) -> None:
        setattr(getattr(fake, self.refusals), self.count, value)


@dataclass
class FakeServer(Generic[C]):
    """A fake platform API served over real HTTP, recording what okrbot asked of it."""

    retry_after: int = 1  # seconds, in the Retry-After of every refusal
    calls: list[C] = field(default_factory=list)
    _server: TestServer | None = None

    def routes(self, app: web.Application) -> None:
        """Add the platform's endpoints to ``app``."""
        raise NotImplementedError

    async def start(self) -> Self:
        app = web.Application()
        self.routes(app)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def root(self) -> str:
        """The server's address, without a trailing slash."""
        assert self._server is not None, "start the fake first"
        return str(self._server.make_url("")).rstrip("/")

    def all_text(self) -> str:
        return "\n".join(c.text() for c in self.calls)

    def refusal(self, status: int = 429, *, json: Any = None, text: str = "") -> web.Response:
        """The answer to a refused request: ``status`` with this fake's Retry-After."""
        headers = {"Retry-After": str(self.retry_after)}
        if json is not None:
            return web.json_response(json, status=status, headers=headers)
        return web.Response(status=status, text=text, headers=headers)
