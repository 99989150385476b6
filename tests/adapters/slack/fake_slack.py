"""A fake Slack Web API on 127.0.0.1: it records every call and answers like Slack does.

Point ``SLACK_API_URL`` at :attr:`FakeSlack.api_url`. Response URLs handed out in payloads
should be :meth:`FakeSlack.response_url` so that replies sent through them are recorded too.
Posted messages are kept per channel with their metadata, and ``conversations.history``
answers from them as Slack does (newest first, ``oldest``, ``limit``, ``cursor``, metadata only
with ``include_all_metadata``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters.slack.slack_people import (
    BOT_USER,
    SLACKBOT,
    bot,
    person,
    slackbot,
    users_page,
)
from tests.support.fake_server import FakeServer, RefusalCount, Refusals


@dataclass(frozen=True)
class ApiCall:
    method: str
    arguments: dict[str, Any]
    token: str

    def text(self) -> str:
        """Everything this call would show a person, as one JSON string."""
        return json.dumps(self.arguments)


@dataclass
class FakeSlack(FakeServer[ApiCall]):
    members: dict[str, list[str]] = field(default_factory=dict)
    timezones: dict[str, str] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # users.info, by user id
    unknown_users: set[str] = field(default_factory=set)  # users.info answers user_not_found
    budgets: dict[str, int] = field(default_factory=dict)  # method: answer this many, then 429
    missing_channels: set[str] = field(default_factory=set)
    calls_refused: Refusals = field(default_factory=Refusals)  # Web API calls answered 429
    responses_refused: Refusals = field(default_factory=Refusals)  # response URL posts
    delay: float = 0.0  # seconds each Web API call takes
    peers: set[Any] = field(default_factory=set)  # the (host, port) of each connection used
    clock: Callable[[], float] = time.time  # Slack's time, for message timestamps
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per channel
    page_size: int = 2
    users_page_size: int = 500  # users.list answers at most this many, whatever the limit
    throttled: int = 0  # how many requests were answered 429
    envelopes: list[dict[str, Any]] = field(default_factory=list)  # sent over Socket Mode
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # Each call waits for this first, if set (a slow channel, a call held until something else).
    hold: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
    # Slack's pace per channel: a post sooner than this after the last one there is a 429.
    pacing: float = 0.0
    too_fast: int = 0  # how many posts were refused for breaking the pace
    posted_at: dict[str, float] = field(default_factory=dict)  # per channel, monotonic time
    _last_ts: float = 0.0
    rate_limited = RefusalCount("calls_refused", "now")  # the next this many Web API calls
    rate_limited_post = RefusalCount("calls_refused", "nth")  # the postMessage this many from now
    responses_rate_limited = RefusalCount("responses_refused", "now")  # response URL posts

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response)
        app.router.add_get("/socket", self._socket)

    @property
    def api_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"{self.root}/response/{name}"

    def to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def looked_up(self) -> list[str]:
        """The user of each ``users.info`` call Slack answered, in order."""
        return [str(c.arguments.get("user", "")) for c in self.to("users.info")]

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        arguments: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                arguments.update(await request.json())
            else:
                arguments.update(await request.post())
        return arguments

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """The messages in a channel, oldest first."""
        return list(self.messages.get(channel, []))

    async def _response(self, request: web.Request) -> web.Response:
        arguments = await request.json()
        if self.responses_refused.due():
            self.throttled += 1
            return self.refusal(text="rate_limited")
        self.calls.append(ApiCall("response_url", arguments, ""))
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        arguments = await self._arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if request.transport is not None:
            self.peers.add(request.transport.get_extra_info("peername"))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold is not None:
            await self.hold(method, arguments)
        if self._throttle(method):
            self.throttled += 1
            return self.refusal(json={"ok": False, "error": "ratelimited"})
        if method == "chat.postMessage" and self._too_fast(str(arguments.get("channel", ""))):
            self.throttled += 1
            self.too_fast += 1
            return self.refusal(json={"ok": False, "error": "ratelimited"})
        self.calls.append(ApiCall(method, arguments, token))
        if not token and method != "oauth.v2.access":
            return web.json_response({"ok": False, "error": "not_authed"})
        return web.json_response(self._answer(method, arguments))

    def _too_fast(self, channel: str) -> bool:
        """Whether a post to ``channel`` breaks the pace; if not, it sets the pace from now."""
        if not self.pacing:
            return False
        now = time.monotonic()
        if now - self.posted_at.get(channel, -self.pacing) < self.pacing:
            return True
        self.posted_at[channel] = now
        return False

    def _throttle(self, method: str) -> bool:
        """Whether to answer this call with 429, as Slack does past a method's rate limit."""
        if method in self.budgets:
            if self.budgets[method] <= 0:
                return True
            self.budgets[method] -= 1
        return self.calls_refused.due(counted=method == "chat.postMessage")

    def _answer(self, method: str, arguments: dict[str, Any]) -> dict[str, Any]:
        channel = str(arguments.get("channel", ""))
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        match method:
            case "auth.test":
                return {"ok": True, "user_id": BOT_USER, "bot_id": "B0001", "team_id": "T1"}
            case "chat.postMessage":
                return self._post(channel, arguments)
            case "chat.update":
                return {"ok": True, "channel": channel, "ts": arguments.get("ts", "")}
            case "conversations.history":
                return self._history(channel, arguments)
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            case "conversations.open":
                return {"ok": True, "channel": {"id": f"D{arguments.get('users', '')}"}}
            case "conversations.members":
                return self._members(channel, str(arguments.get("cursor", "")))
            case "users.info":
                return self._user(str(arguments.get("user", "")))
            case "users.list":
                everyone = [*self.members.values(), self.users, [BOT_USER, SLACKBOT]]
                known = [u for u in dict.fromkeys(chain(*everyone)) if u not in self.unknown_users]
                described = [self._user(u)["user"] for u in known]
                return users_page(described, arguments, self.users_page_size)
            case "views.open" | "views.publish":
                return {"ok": True, "view": {"id": "V1", **arguments.get("view", {})}}
            case "oauth.v2.access":
                return oauth_access()
            case "apps.connections.open":
                return {"ok": True, "url": self.root.replace("http", "ws", 1) + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, hand over the queued envelopes, collect their acks."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        for envelope in self.envelopes:  # one at a time: the next goes once this one is acked
            await socket.send_json(envelope)
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
                    break
        async for _message in socket:  # keep the connection until the client closes it
            pass
        return socket

    def _user(self, user_id: str) -> dict[str, Any]:
        if user_id in self.unknown_users:
            return {"ok": False, "error": "user_not_found"}
        if user_id in self.users:
            return {"ok": True, "user": self.users[user_id]}
        if user_id == BOT_USER:
            return {"ok": True, "user": bot(BOT_USER)}
        if user_id == SLACKBOT:
            return {"ok": True, "user": slackbot()}
        return {"ok": True, "user": person(user_id, self.timezones.get(user_id, ""))}

    def _next_ts(self) -> str:
        """Slack's time of a new message, unique and increasing, as Slack's ``ts`` are."""
        self._last_ts = max(self.clock(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _post(self, channel: str, arguments: dict[str, Any]) -> dict[str, Any]:
        metadata = arguments.get("metadata")
        if isinstance(metadata, str):  # a form post carries it as JSON text
            metadata = json.loads(metadata)
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "text": arguments.get("text", ""),
            "bot_id": "B0001",
        }
        if arguments.get("blocks"):
            message["blocks"] = arguments["blocks"]
        if metadata:
            message["metadata"] = metadata
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _history(self, channel: str, arguments: dict[str, Any]) -> dict[str, Any]:
        oldest = float(arguments.get("oldest") or 0)
        inclusive = str(arguments.get("inclusive", "")).lower() in ("true", "1")
        newest_first = [
            m
            for m in reversed(self.messages.get(channel, []))
            if float(m["ts"]) > oldest or (inclusive and float(m["ts"]) == oldest)
        ]
        start = int(arguments.get("cursor") or 0)
        limit = int(arguments.get("limit") or 100)
        page = newest_first[start : start + limit]
        if str(arguments.get("include_all_metadata", "")).lower() not in ("true", "1"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _members(self, channel: str, cursor: str) -> dict[str, Any]:
        everyone = self.members.get(channel, [])
        start = int(cursor or 0)
        page = everyone[start : start + self.page_size]
        following = start + self.page_size
        next_cursor = str(following) if following < len(everyone) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


def oauth_access() -> dict[str, Any]:
    """What ``oauth.v2.access`` answers after someone installs the app into workspace T9."""
    return {
        "ok": True,
        "access_token": "xoxb-installed-secret-token",
        "token_type": "bot",
        "scope": "commands,chat:write",
        "bot_user_id": BOT_USER,
        "app_id": "A0001",
        "team": {"name": "Nine", "id": "T9"},
        "enterprise": None,
        "authed_user": {"id": "U9"},
        "is_enterprise_install": False,
    }
