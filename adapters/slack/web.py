"""The Slack Web API out: a ChatPort for the outbox and a Directory for the scheduler.

Rate limits: this client has no rate-limit retry handler on purpose. A 429 becomes
:class:`bot.ports.RateLimited` with Slack's ``Retry-After``, and the outbox reschedules that one
message instead of the worker sleeping inside a claimed batch. Messages to one channel are
spaced about a second apart by :class:`bot.clock.Pacer`, as Slack asks.

Every message the outbox sends carries its mark in Slack's message metadata, so that after a
crash the port can read the conversation's recent history and find a message that went out
but was never recorded, instead of posting it twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from bot.clock import Pacer
from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater
from bot.replies import Audience, Reply

SLACK_INTERVAL = 1.0  # Slack asks for about one message a second per channel
DIRECT_CHATS_KEPT = 50_000
DIRECT_CHATS_TTL = 24 * 60 * 60.0
log = logging.getLogger(__name__)

TokenLookup = Callable[[str], Awaitable[str | None]]
"""Find the bot token of a workspace (by its workspace key); None when it has none."""

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
AUTH_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
MARK_EVENT = "okrbot_outbox"  # the metadata event_type of messages the outbox sends
HISTORY_PAGE = 20
HISTORY_PAGES = 5  # messages posted after a crash are recent: a hundred is plenty
CLOCK_SKEW = timedelta(minutes=1)  # Slack's clock and ours may disagree a little


def retry_after(error: SlackApiError) -> float | None:
    """Read ``Retry-After`` (seconds) from a 429 answer."""
    headers = getattr(error.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value if isinstance(value, str) else value[0]))
            except (TypeError, ValueError, IndexError):
                return None
    return None


def classify(error: SlackApiError, method: str) -> Exception:
    """Turn a Web API error into RetryLater (try again) or DeliveryFailed (give up)."""
    status = getattr(error.response, "status_code", 200)
    data = getattr(error.response, "data", None)
    code = data.get("error", "") if isinstance(data, dict) else ""
    if status == 429 or code == "ratelimited":
        return RateLimited(f"{method}: rate limited", retry_after=retry_after(error))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return RetryLater(f"{method}: {code or status}")
    if code in AUTH_ERRORS:
        return NotAuthorized(f"{method}: {code}")
    return DeliveryFailed(f"{method}: {code or status}")


class SlackWeb:
    """Web API calls made with each workspace's own token, on ``base_url``."""

    def __init__(self, tokens: TokenLookup, *, base_url: str, timeout: int = 10) -> None:
        self._tokens = tokens
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._timeout = timeout
        self._session: ClientSession | None = None

    def _pool(self) -> ClientSession:
        """One session, so one pool of kept-alive connections, for every call.

        Left to itself the SDK opens a session (a connection, a TLS handshake) per call.
        """
        if self._session is None or self._session.closed:
            self._session = ClientSession(timeout=ClientTimeout(total=self._timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def client(self, workspace_id: str) -> AsyncWebClient:
        token = await self._tokens(workspace_id)
        if not token:
            raise NotAuthorized(f"no Slack token for workspace {workspace_id}")
        return AsyncWebClient(
            token=token,
            base_url=self._base_url,
            timeout=self._timeout,
            session=self._pool(),
            retry_handlers=[AsyncConnectionErrorRetryHandler()],
        )

    async def call(
        self, workspace_id: str, method: str, *, read: bool = False, **arguments: Any
    ) -> dict[str, Any]:
        """Call ``method``; failures come out as RetryLater or DeliveryFailed.

        Read methods take form parameters; write methods take JSON (blocks need it).
        """
        client = await self.client(workspace_id)
        try:
            if read:
                response = await client.api_call(method, params=arguments)
            else:
                response = await client.api_call(method, json=arguments)
        except SlackApiError as error:
            raise classify(error, method) from None
        except (ClientError, TimeoutError) as error:
            raise RetryLater(f"{method}: {type(error).__name__}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}


class SlackChatPort:
    """Send replies to Slack channels and people (``chat.postMessage``, ``chat.update``)."""

    def __init__(self, web: SlackWeb, pacer: Pacer | None = None) -> None:
        self._web = web
        self._pacer = pacer or Pacer(SLACK_INTERVAL)
        # A person's conversation with the app keeps its id: open it once, not per message
        # (conversations.open is rate-limited per workspace, and a fan-out sends thousands).
        self._direct: TTLCache[tuple[str, str], str] = TTLCache(
            maxsize=DIRECT_CHATS_KEPT, ttl=DIRECT_CHATS_TTL
        )

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return await self._post(workspace_id, channel_id, reply, {})

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        return await self._post_to(workspace_id, Audience.PERSON, user_id, reply, {})

    async def send_marked(
        self, workspace_id: str, audience: str, target_id: str, reply: Reply, *, key: str
    ) -> str:
        """Post with ``key`` in the message's metadata, where :meth:`find_marked` looks."""
        metadata = {"event_type": MARK_EVENT, "event_payload": {"key": key}}
        return await self._post_to(workspace_id, audience, target_id, reply, {"metadata": metadata})

    async def _post_to(
        self,
        workspace_id: str,
        audience: str,
        target_id: str,
        reply: Reply,
        extra: dict[str, Any],
    ) -> str:
        """Post to a channel, or to a person's DM with the app (opened once, then kept)."""
        if audience != Audience.PERSON:
            return await self._post(workspace_id, target_id, reply, extra)
        known = self._direct.get((workspace_id, target_id))
        if known:
            try:
                return await self._post(workspace_id, known, reply, extra)
            except DeliveryFailed:  # the conversation is gone: open it afresh, once
                self._direct.pop((workspace_id, target_id), None)
        channel_id = await self._open(workspace_id, target_id)
        return await self._post(workspace_id, channel_id, reply, extra)

    async def find_marked(
        self, workspace_id: str, audience: str, target_id: str, *, key: str, since: datetime
    ) -> str | None:
        """The ``ts`` of a message marked ``key`` posted since ``since``, if Slack has one."""
        channel_id = await self._channel(workspace_id, audience, target_id)
        cursor = ""
        for _ in range(HISTORY_PAGES):
            page = await self._web.call(
                workspace_id,
                "conversations.history",
                read=True,
                channel=channel_id,
                oldest=f"{(since - CLOCK_SKEW).timestamp():.6f}",
                inclusive="true",
                limit=HISTORY_PAGE,
                include_all_metadata="true",
                **({"cursor": cursor} if cursor else {}),
            )
            for message in page.get("messages") or []:
                if isinstance(message, dict) and _marked(message, key):
                    return str(message.get("ts", ""))
            metadata = page.get("response_metadata") or {}
            cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
            if not cursor:
                return None
        return None

    async def _channel(self, workspace_id: str, audience: str, target_id: str) -> str:
        if audience != Audience.PERSON:
            return target_id
        return self._direct.get((workspace_id, target_id)) or await self._open(
            workspace_id, target_id
        )

    async def _open(self, workspace_id: str, user_id: str) -> str:
        """The direct message channel with a person (Slack answers the same one each time)."""
        opened = await self._web.call(workspace_id, "conversations.open", users=user_id)
        channel = opened.get("channel", {})
        channel_id = channel.get("id", "") if isinstance(channel, dict) else ""
        if not channel_id:
            raise DeliveryFailed(f"conversations.open gave no channel for {user_id}")
        self._direct[(workspace_id, user_id)] = str(channel_id)
        return str(channel_id)

    async def _post(
        self, workspace_id: str, channel_id: str, reply: Reply, extra: dict[str, Any]
    ) -> str:
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        answer = await self._web.call(
            workspace_id, "chat.postMessage", channel=channel_id, **blocks.message(reply), **extra
        )
        return str(answer.get("ts", ""))

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None:
        await self._pacer.wait(f"{workspace_id}/{channel_id}")
        await self._web.call(
            workspace_id, "chat.update", channel=channel_id, ts=message_id, **blocks.message(reply)
        )


def _marked(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != MARK_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and payload.get("key") == key


SLACKBOT = "USLACKBOT"  # Slack's own helper: users.info calls it no bot, so it goes by id
PERSON_TTL = 24 * 3600.0
PEOPLE_KEPT = 20_000
LOOKUPS_AT_ONCE = 8
QUIET_AFTER_429 = 30.0  # seconds without users.info when Slack gives no Retry-After


@dataclass(frozen=True, slots=True)
class Member:
    """What ``users.info`` told us about a channel member."""

    person: bool
    timezone: str | None


def read_member(user: object) -> Member:
    """Read a ``users.info`` user: bots, app users and deactivated accounts are not people."""
    if not isinstance(user, dict):
        return Member(person=True, timezone=None)
    not_a_person = (
        user.get("id") == SLACKBOT
        or user.get("is_bot") is True
        or user.get("is_app_user") is True
        or user.get("deleted") is True
    )
    zone = user.get("tz")
    return Member(
        person=not not_a_person, timezone=zone if isinstance(zone, str) and zone else None
    )


class SlackDirectory:
    """Who is in a channel (``conversations.members``) and where people live (``users.info``).

    A channel's members include the app's own bot user (``auth.test`` names it), other bots and
    app users, Slackbot and deactivated accounts; only people are returned. What ``users.info``
    says about someone is kept in this process for a day, at most ``limit`` people, so a second
    team's channel, the next opening and a lead's timezone cost no call for the same person.
    The cache lives here and not in the database because the scheduler asks inside its own
    transaction (SQLite would wait on itself) and adapters do not reach storage; a restarted
    process simply asks again.

    A member ``users.info`` cannot tell about (an error, or Slack asking us to wait) is taken to
    be a person, and not kept: one prompt too many beats a person left out of the
    retrospective. After a 429 (or Slack being unavailable) no ``users.info`` call goes out in
    that workspace until its ``Retry-After`` (else half a minute) has passed.
    """

    def __init__(
        self,
        web: SlackWeb,
        *,
        ttl: float = PERSON_TTL,
        limit: int = PEOPLE_KEPT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._web = web
        self._monotonic = monotonic
        self._members: TTLCache[tuple[str, str], Member, float] = TTLCache(limit, ttl, monotonic)
        self._bot_users: TTLCache[str, str, float] = TTLCache(limit, ttl, monotonic)
        self._quiet_until: dict[str, float] = {}

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        listed = await self._listed(workspace_id, channel_id)
        own = await self._bot_user(workspace_id)
        candidates = [m for m in dict.fromkeys(listed) if m not in (own, SLACKBOT)]
        told = {m: known for m in candidates if (known := self._members.get((workspace_id, m)))}
        told |= await self._learn(workspace_id, [m for m in candidates if m not in told])
        return [m for m in candidates if m not in told or told[m].person]

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        known = self._members.get((workspace_id, user_id))
        if known is None:
            if self._quiet(workspace_id):
                raise RetryLater("users.info: waiting for Slack's rate limit")
            known = await self._look_up(workspace_id, user_id)
        return known.timezone

    async def _listed(self, workspace_id: str, channel_id: str) -> list[str]:
        """Every member id of a channel, page by page."""
        members: list[str] = []
        cursor = ""
        while True:
            page = await self._web.call(
                workspace_id,
                "conversations.members",
                read=True,
                channel=channel_id,
                limit=200,
                **({"cursor": cursor} if cursor else {}),
            )
            members += [m for m in page.get("members", []) if isinstance(m, str)]
            metadata = page.get("response_metadata") or {}
            cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
            if not cursor:
                return members

    async def _bot_user(self, workspace_id: str) -> str:
        """The app's own user id in a workspace (``auth.test``), once per workspace."""
        known = self._bot_users.get(workspace_id)
        if known is not None:
            return known
        try:
            answer = await self._web.call(workspace_id, "auth.test")
        except (RetryLater, DeliveryFailed) as error:
            # users.info says the bot user is a bot anyway; this only saves that call.
            log.warning("auth.test failed (%s); finding the bot user by users.info", error)
            return ""
        user_id = answer.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            return ""
        self._bot_users[workspace_id] = user_id
        return user_id

    async def _learn(self, workspace_id: str, user_ids: Sequence[str]) -> dict[str, Member]:
        """Ask ``users.info`` about each member, a few at a time, until Slack asks us to wait."""
        learnt: dict[str, Member] = {}
        failures: set[str] = set()
        waiting = iter(user_ids)

        async def ask_in_turn() -> None:
            for user_id in waiting:  # shared: each id is taken by one of the askers
                if self._quiet(workspace_id):
                    failures.add("waiting for Slack's rate limit")
                    return
                try:
                    learnt[user_id] = await self._look_up(workspace_id, user_id)
                except (RetryLater, DeliveryFailed) as error:
                    failures.add(str(error))

        askers = min(LOOKUPS_AT_ONCE, len(user_ids))
        await asyncio.gather(*(ask_in_turn() for _ in range(askers)))
        if len(learnt) < len(user_ids):
            log.warning(
                "could not tell whether %d of %d channel members are people (%s); "
                "asking them as people",
                len(user_ids) - len(learnt),
                len(user_ids),
                "; ".join(sorted(failures)),
            )
        return learnt

    async def _look_up(self, workspace_id: str, user_id: str) -> Member:
        """Call ``users.info`` for one person and keep the answer."""
        try:
            answer = await self._web.call(workspace_id, "users.info", read=True, user=user_id)
        except RetryLater as error:
            pause = QUIET_AFTER_429 if error.retry_after is None else error.retry_after
            self._quiet_until[workspace_id] = self._monotonic() + pause
            raise
        member = read_member(answer.get("user"))
        self._members[(workspace_id, user_id)] = member
        return member

    def _quiet(self, workspace_id: str) -> bool:
        """Whether Slack asked us to wait before the next ``users.info`` in this workspace."""
        until = self._quiet_until.get(workspace_id)
        if until is None:
            return False
        if self._monotonic() < until:
            return True
        del self._quiet_until[workspace_id]
        return False
