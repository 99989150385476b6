"""Drive okrbot like a person would: say things, read answers, check what was delivered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.console import CONSOLE
from adapters.console.events import in_core_form
from bot.clock import ManualClock
from bot.entry.app import Okrbot, build
from bot.entry.settings import Settings
from bot.events import ChatEvent, EventKind
from bot.replies import Outcome
from bot.runtime.scheduler import TickReport
from tests.support.fakes import FakeChatPort, FakeDirectory
from tests.support.times import START
from tests.support.transcripts import said


class Harness:
    """One okrbot on a real database, a console-like platform and a clock moved by hand."""

    def __init__(self, app: Okrbot, clock: ManualClock, port: FakeChatPort) -> None:
        self.app = app
        self.clock = clock
        self.port = port
        self._ids = count(1)

    @classmethod
    async def start(cls, database_url: str, *, directory: FakeDirectory | None = None) -> Harness:
        """Start okrbot; with a directory, channel members come from it, not from who spoke."""
        clock = ManualClock(START)
        port = FakeChatPort()
        app = await build(
            Settings(database_url=database_url),
            clock=clock,
            ports={CONSOLE: port},
            directories={CONSOLE: directory} if directory else None,
            migrate=False,
        )
        return cls(app, clock, port)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.app.sessions

    async def tick(self, when: datetime | None = None) -> TickReport:
        """Move the clock (if asked) and do everything due, as `okrbot run-due` would."""
        if when is not None:
            self.clock.set(when)
        return await self.app.tick()

    async def close(self) -> None:
        await self.app.close()

    async def send(self, event: ChatEvent) -> Outcome:
        return await self.app.handle(event)

    def event(
        self,
        kind: EventKind,
        *,
        text: str = "",
        user: str = "U1",
        channel: str = "C1",
        workspace: str = "W1",
        direct: bool = False,
        **extra: object,
    ) -> ChatEvent:
        return ChatEvent(
            platform=CONSOLE,
            workspace_id=workspace,
            channel_id=channel,
            user_id=user,
            kind=kind,
            occurred_at=self.clock.now(),
            text=text,
            is_direct=direct,
            event_id=f"e{next(self._ids)}",
            **extra,  # type: ignore[arg-type]
        )

    async def say(
        self,
        text: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        workspace: str = "W1",
        direct: bool = False,
    ) -> str:
        """Type a line in chat (a slash command or a message) and read the bot's answer."""
        kind = EventKind.COMMAND if text.startswith("/") else EventKind.MESSAGE
        if kind is EventKind.COMMAND:
            text = in_core_form(text)  # the console adapter's mentions (``@U2``)
        outcome = await self.send(
            self.event(
                kind, text=text, user=user, channel=channel, workspace=workspace, direct=direct
            )
        )
        return said(outcome)

    async def submit(
        self,
        form_id: str,
        values: Mapping[str, str],
        *,
        user: str = "U1",
        channel: str = "C1",
        workspace: str = "W1",
    ) -> Outcome:
        return await self.send(
            self.event(
                EventKind.FORM_SUBMISSION,
                user=user,
                channel=channel,
                workspace=workspace,
                form_id=form_id,
                form_values=dict(values),
            )
        )

    async def deliver(self) -> int:
        return await self.app.outbox.deliver_due()
