"""The console as a platform: messages the bot sends are printed, members are who acted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from adapters.console import rendering
from adapters.console.state import ConsoleState, OnScreenButton, direct_conversation
from bot.replies import Reply


class ConsoleChatPort:
    """Print what the bot sends on its own (outbox deliveries) and hand out message ids."""

    def __init__(self, state: ConsoleState, out: TextIO) -> None:
        self._state = state
        self._out = out

    async def send(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return self._show(reply, target=f"#{channel_id}", channel_id=channel_id, is_direct=False)

    async def send_direct(self, workspace_id: str, user_id: str, reply: Reply) -> str:
        conversation = direct_conversation(user_id)
        return self._show(reply, target=f"@{user_id}", channel_id=conversation, is_direct=True)

    def _show(self, reply: Reply, *, target: str, channel_id: str, is_direct: bool) -> str:
        message_id = self._state.next_message_id()
        self._state.last_message[channel_id] = message_id
        first = offer_buttons(self._state, reply, message_id, channel_id, is_direct=is_direct)
        self._out.write(rendering.render_delivery(reply, target=target, first_button=first) + "\n")
        return message_id


class ConsoleDirectory:
    """Members of a console channel: everyone seen acting in it, plus anyone added by hand."""

    def __init__(self, state: ConsoleState) -> None:
        self._state = state

    def add_member(self, workspace_id: str, channel_id: str, user_id: str) -> None:
        self._state.note_member(workspace_id, channel_id, user_id)

    async def channel_members(self, workspace_id: str, channel_id: str) -> Sequence[str]:
        return sorted(self._state.members.get((workspace_id, channel_id), set()))

    async def user_timezone(self, workspace_id: str, user_id: str) -> str | None:
        return None


def offer_buttons(
    state: ConsoleState,
    reply: Reply,
    message_id: str,
    channel_id: str,
    *,
    is_direct: bool,
    number_on: bool = False,
) -> int:
    """Put a message's buttons on screen for `!press`; return the number of its first button.

    A new message with buttons replaces the ones shown before, so `!press 1` means the latest;
    with ``number_on`` (later replies to the same line) its buttons are numbered on instead.
    """
    if not reply.buttons:
        return 1
    if not number_on:
        state.buttons = []
    first = len(state.buttons) + 1
    state.buttons += [
        OnScreenButton(button, message_id, channel_id, is_direct) for button in reply.buttons
    ]
    return first
