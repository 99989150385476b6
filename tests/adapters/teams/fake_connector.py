"""A fake Bot Connector on 127.0.0.1: it records every call and answers like Teams does.

Put :attr:`FakeConnector.service_url` in the activities' ``serviceUrl``: okrbot then sends its
replies, proactive messages and member look-ups here.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiohttp import web

from tests.support.fake_server import FakeServer, RefusalCount, Refusals

MAX_ACTIVITY_BYTES = 40 * 1024  # Teams refuses larger activities, counted in UTF-16


@dataclass(frozen=True)
class ConnectorCall:
    method: str
    conversation_id: str
    body: dict[str, Any]
    reply_to: str = ""
    authorization: str = ""
    at: float = field(default_factory=time.monotonic)  # when the fake received it
    activity_id: str = ""  # the id the fake gave the message it took

    def text(self) -> str:
        """Everything this call would show a person, as one JSON string."""
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class FakeConnector(FakeServer[ConnectorCall]):
    members: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    posts_refused: Refusals = field(default_factory=Refusals)  # answered 429 (throttle_status)
    retry_after: int = 3
    throttle_status: int = 429  # Teams also throttles with 503 or 412 and a Retry-After
    gate: asyncio.Event | None = None  # when set, each post is recorded, then held until it opens
    forbidden: set[str] = field(default_factory=set)  # conversation ids that answer 403
    refused: list[ConnectorCall] = field(default_factory=list)  # the posts answered throttled
    refuse_new_chats: bool = False
    page_size: int = 2
    _ids: count[int] = field(default_factory=lambda: count(1))
    throttled = RefusalCount("posts_refused", "now")  # the next this many posts
    throttled_post = RefusalCount("posts_refused", "nth")  # the new post this many from now

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._post)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._post)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._post)
        app.router.add_get("/v3/conversations/{cid}/members", self._members)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged_members)

    @property
    def service_url(self) -> str:
        return f"{self.root}/"

    def to(self, conversation_id: str) -> list[ConnectorCall]:
        """Messages posted (or replied) into one conversation."""
        return [
            c
            for c in self.calls
            if c.conversation_id == conversation_id and c.method in ("post", "reply")
        ]

    def updated(self) -> list[ConnectorCall]:
        """Messages replaced in place (a card brought up to date)."""
        return [c for c in self.calls if c.method == "update"]

    def posted(self) -> list[ConnectorCall]:
        return [c for c in self.calls if c.method in ("post", "reply")]

    def created(self) -> list[ConnectorCall]:
        return [c for c in self.calls if c.method == "create"]

    async def _post(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]
        reply_to = request.match_info.get("aid", "")
        method = "update" if request.method == "PUT" else ("reply" if reply_to else "post")
        if len((await request.text()).encode("utf-16-le")) > MAX_ACTIVITY_BYTES:
            return web.json_response(
                {"error": {"code": "MessageSizeTooBig", "message": "too big"}}, status=413
            )
        if self.posts_refused.due(counted=method == "post"):
            self.refused.append(ConnectorCall(method, conversation, {}))
            return self.refusal(
                self.throttle_status, json={"error": {"code": "Throttled", "message": "slow down"}}
            )
        if conversation in self.forbidden:
            return web.json_response(
                {"error": {"code": "BotNotInConversationRoster", "message": "removed"}},
                status=403,
            )
        posted = reply_to if method == "update" else f"activity-{next(self._ids)}"
        self.calls.append(
            ConnectorCall(
                method,
                conversation,
                await request.json(),
                reply_to,
                request.headers.get("Authorization", ""),
                activity_id=posted,
            )
        )
        if self.gate is not None:
            await self.gate.wait()
        return web.json_response({"id": posted})

    async def _create(self, request: web.Request) -> web.Response:
        parameters = await request.json()
        if self.refuse_new_chats:
            return web.json_response(
                {"error": {"code": "Forbidden", "message": "app not installed"}}, status=403
            )
        self.calls.append(ConnectorCall("create", "", parameters))
        [member] = parameters["members"]
        return web.json_response(
            {"id": f"a:1chat-with-{member['id']}", "activityId": "", "serviceUrl": ""}
        )

    async def _members(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]
        self.calls.append(ConnectorCall("members", conversation, {}))
        return web.json_response(self.members.get(conversation, []))

    async def _member(self, request: web.Request) -> web.Response:
        conversation, wanted = request.match_info["cid"], request.match_info["mid"]
        self.calls.append(ConnectorCall("member", conversation, {"id": wanted}))
        # A post in a channel is its own conversation ("<channel>;messageid=<post>"); Teams
        # answers for the channel's members.
        for member in self.members.get(conversation.split(";", 1)[0], []):
            if member.get("id") == wanted:
                return web.json_response(member)
        return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)

    async def _paged_members(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]
        self.calls.append(ConnectorCall("members", conversation, dict(request.query)))
        if conversation in self.forbidden:
            return web.json_response({"error": {"code": "Forbidden"}}, status=403)
        everyone = self.members.get(conversation, [])
        start = int(request.query.get("continuationToken", 0) or 0)
        following = start + self.page_size
        page: dict[str, Any] = {"members": everyone[start:following]}
        if following < len(everyone):
            page["continuationToken"] = str(following)
        return web.json_response(page)
