"""Slack's Directory: who is in a channel, and where people live, for the scheduler."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cachetools import TTLCache

from adapters.slack.client import SlackWeb
from bot.ports import DeliveryFailed, RetryLater

log = logging.getLogger(__name__)

SLACKBOT = "USLACKBOT"  # Slack's own helper: users.info calls it no bot, so it goes by id
PERSON_TTL = 24 * 3600.0
PEOPLE_KEPT = 20_000
LOOKUPS_AT_ONCE = 8
QUIET_AFTER_429 = 30.0  # seconds without users.info when Slack gives no Retry-After
LIST_PAGE = 1000  # users.list members asked per call (Slack may answer fewer)
LIST_PAGES = 20  # a listing stops there: more people than the cache keeps


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
    """Who is in a channel (``conversations.members``) and who of them are people (``users.list``,
    ``users.info``), and where people live.

    A channel's members include the app's own bot user (``auth.test`` names it), other bots and
    app users, Slackbot and deactivated accounts; only people are returned. The first channel
    with members not known yet has the whole workspace listed (``users.list``, up to a thousand
    people a call, a few calls, once a day and one listing at a time), so a company's quarterly
    opening learns its people in a handful of calls instead of one ``users.info`` each (Slack
    allows about a hundred of those a minute). Members a listing did not name (someone who
    joined since, a guest from another organisation) are asked one by one with ``users.info``.
    What Slack says about someone is kept in this process for a day, at most ``limit``
    people, so a second team's channel, the next opening and a lead's timezone cost no call.
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
        self._ttl = ttl  # also how long a listing serves before the workspace is listed again
        self._members: TTLCache[tuple[str, str], Member, float] = TTLCache(limit, ttl, monotonic)
        self._bot_users: TTLCache[str, str, float] = TTLCache(limit, ttl, monotonic)
        self._quiet_until: dict[str, float] = {}
        self._list_after: dict[str, float] = {}  # per workspace: no new listing before then
        self._listings: dict[str, asyncio.Future[None]] = {}  # the listing under way, if any

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        listed = await self._listed(workspace_id, channel_id)
        own = await self._bot_user(workspace_id)
        candidates = [m for m in dict.fromkeys(listed) if m not in (own, SLACKBOT)]
        if any((workspace_id, m) not in self._members for m in candidates):
            await self._list_people(workspace_id)
        told = {m: known for m in candidates if (known := self._members.get((workspace_id, m)))}
        told |= await self._learn(workspace_id, [m for m in candidates if m not in told])
        return [m for m in candidates if m not in told or told[m].person]

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        known = self._members.get((workspace_id, user_id))
        if known is None:
            await self._list_people(workspace_id)  # a hundred leads: a listing, not 100 calls
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

    async def _list_people(self, workspace_id: str) -> None:
        """Learn everyone in the workspace, unless listed lately; join a listing under way."""
        running = self._listings.get(workspace_id)
        if running is None:
            if self._monotonic() < self._list_after.get(workspace_id, float("-inf")):
                return
            running = asyncio.ensure_future(self._list_everyone(workspace_id))
            self._listings[workspace_id] = running
            running.add_done_callback(lambda _: self._listings.pop(workspace_id, None))
        await asyncio.shield(running)  # one caller cancelled leaves the listing to the others

    async def _list_everyone(self, workspace_id: str) -> None:
        """Page through ``users.list``, keeping what it says of each user; never raises."""
        cursor, pages = "", 0
        try:
            while True:
                page = await self._web.call(
                    workspace_id,
                    "users.list",
                    read=True,
                    limit=LIST_PAGE,
                    **({"cursor": cursor} if cursor else {}),
                )
                for user in page.get("members") or []:
                    if isinstance(user, dict) and isinstance(user.get("id"), str):
                        self._members[(workspace_id, user["id"])] = read_member(user)
                pages += 1
                metadata = page.get("response_metadata") or {}
                cursor = metadata.get("next_cursor", "") if isinstance(metadata, dict) else ""
                if not cursor or pages >= LIST_PAGES:
                    break
            self._list_after[workspace_id] = self._monotonic() + self._ttl
        except RetryLater as error:
            pause = QUIET_AFTER_429 if error.retry_after is None else error.retry_after
            self._list_after[workspace_id] = self._monotonic() + pause
            log.warning("users.list: %s; asking people one by one meanwhile", error)
        except DeliveryFailed as error:
            self._list_after[workspace_id] = self._monotonic() + self._ttl
            log.warning("users.list: %s; asking people one by one", error)

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
