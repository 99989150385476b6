"""Fakes for what lies beyond the process edge, recording what okrbot sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.ports import RetryLater
from bot.replies import Reply


@dataclass(frozen=True)
class Sent:
    workspace_id: str
    target: str  # a channel id, or "@user" for a direct message
    reply: Reply
    message_id: str


@dataclass
class FakeChatPort:
    """A platform that accepts every message (or asks to retry the next ``busy`` sends)."""

    sent: list[Sent] = field(default_factory=list)
    busy: int = 0

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return self._record(workspace_id, channel_id, reply)

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        return self._record(workspace_id, f"@{user_id}", reply)

    async def update(
        self, workspace_id: str, channel_id: str, message_id: str, reply: Reply
    ) -> None:
        self._record(workspace_id, channel_id, reply)

    def _record(self, workspace_id: str, target: str, reply: Reply) -> str:
        if self.busy:
            self.busy -= 1
            raise RetryLater("rate limited", retry_after=1)
        message_id = f"m{len(self.sent) + 1}"
        self.sent.append(Sent(workspace_id, target, reply, message_id))
        return message_id

    def to(self, target: str) -> Sequence[Sent]:
        return [s for s in self.sent if s.target == target]


@dataclass
class FakeDirectory:
    members: dict[str, list[str]] = field(default_factory=dict)
    timezones: dict[str, str] = field(default_factory=dict)
    failures: list[Exception] = field(default_factory=list)  # raised by the next member calls

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        if self.failures:
            raise self.failures.pop(0)
        return list(self.members.get(channel_id, []))

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        return self.timezones.get(user_id)
