"""People's direct conversations with the Slack app, kept in okrbot's database.

Slack's port opens a person's conversation once (``conversations.open``) and keeps its id; this
store keeps it past the process, outside any other transaction (the outbox sends with no
transaction open). A fan-out asks for the conversations of thousands of people at once, so
the store reads a workspace's kept conversations in one query, the first time one of them is
asked for, and answers from that reading for :data:`REREAD_AFTER` (a conversation another
replica opened meanwhile is at worst opened again: Slack answers with the same id). New ids
that come together are written together: while one write is under way, those that arrive
meanwhile wait and share the next transaction (one multi-row upsert).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack.settings import SLACK
from bot.ports import Clock
from storage import direct_chats

REREAD_AFTER = 60.0
"""Seconds a workspace's reading answers for before the next question reads it again."""

_Kept = tuple[str, str, str, asyncio.Future[None]]  # workspace, person, conversation, written


class DatabaseDirectChats:
    """Slack's kept conversations (:class:`adapters.slack.port.DirectChats`) in the database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._monotonic = monotonic
        self._read: dict[str, tuple[float, dict[str, str]]] = {}
        self._reading: dict[str, asyncio.Future[dict[str, str]]] = {}
        self._waiting: list[_Kept] = []
        self._writer: asyncio.Future[None] | None = None

    async def conversation(self, workspace_id: str, user_id: str) -> str | None:
        return (await self._workspace(workspace_id)).get(user_id)

    async def _workspace(self, workspace_id: str) -> dict[str, str]:
        """The workspace's kept conversations, read once for all who ask meanwhile."""
        read = self._read.get(workspace_id)
        if read is not None and self._monotonic() - read[0] < REREAD_AFTER:
            return read[1]
        reading = self._reading.get(workspace_id)
        if reading is None:
            reading = asyncio.ensure_future(self._read_workspace(workspace_id))
            self._reading[workspace_id] = reading
            reading.add_done_callback(lambda _: self._reading.pop(workspace_id, None))
        return await asyncio.shield(reading)

    async def _read_workspace(self, workspace_id: str) -> dict[str, str]:
        began = self._monotonic()
        async with self._sessions() as session:
            found = await direct_chats.conversations(
                session, platform=SLACK, workspace=workspace_id
            )
        self._read[workspace_id] = (began, found)
        return found

    async def keep(self, workspace_id: str, user_id: str, conversation_id: str) -> None:
        read = self._read.get(workspace_id)
        if read is not None:
            read[1][user_id] = conversation_id
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((workspace_id, user_id, conversation_id, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_waiting())
        await written

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            chats: dict[str, dict[str, str]] = {}
            for workspace_id, user_id, conversation_id, _ in batch:
                chats.setdefault(workspace_id, {})[user_id] = conversation_id  # newest wins
            try:
                async with self._sessions() as session, session.begin():
                    for workspace_id, kept in chats.items():
                        await direct_chats.keep_many(
                            session,
                            platform=SLACK,
                            workspace=workspace_id,
                            chats=kept,
                            now=self._clock.now(),
                        )
            except Exception as error:  # every caller hears of it (and opens again next time)
                for *_, written in batch:
                    if not written.done():
                        written.set_exception(error)
                continue
            for *_, written in batch:
                if not written.done():
                    written.set_result(None)

    async def forget(self, workspace_id: str, user_id: str) -> None:
        read = self._read.get(workspace_id)
        if read is not None:
            read[1].pop(user_id, None)
        async with self._sessions() as session, session.begin():
            await direct_chats.forget(
                session, platform=SLACK, workspace=workspace_id, user_id=user_id
            )
