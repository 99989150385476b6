"""Where a console session is: who is typing, in which conversation, and what is on screen."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from bot.clock import ManualClock
from bot.replies import Button, Form


@dataclass(frozen=True, slots=True)
class OnScreenButton:
    """A button printed on screen, with the message and conversation it belongs to."""

    button: Button
    message_id: str
    channel_id: str
    is_direct: bool


@dataclass
class ConsoleState:
    """The person at the keyboard, the conversation they are in, and what the bot last showed."""

    clock: ManualClock
    workspace_id: str = "W1"
    channel_id: str = "C1"
    user_id: str = "U1"
    direct: bool = False
    # Ids must stay unique across sessions on one database, or the ledger drops new events.
    session: str = field(default_factory=lambda: secrets.token_hex(4))
    events_sent: int = 0
    messages_shown: int = 0
    buttons: list[OnScreenButton] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)
    last_message: dict[str, str] = field(default_factory=dict)  # conversation -> message id
    members: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @property
    def conversation_id(self) -> str:
        """The channel the next line is typed in: a channel, or this person's direct chat."""
        return direct_conversation(self.user_id) if self.direct else self.channel_id

    @property
    def place(self) -> str:
        """Name the current conversation for people: ``#C1`` or ``direct chat``."""
        return "direct chat" if self.direct else f"#{self.channel_id}"

    @property
    def event_id(self) -> str:
        """The id of the event being sent now (the session counts events before sending)."""
        return f"console-{self.session}-e{self.events_sent}"

    def next_message_id(self) -> str:
        self.messages_shown += 1
        return f"console-{self.session}-{self.messages_shown}"

    def note_member(self, workspace_id: str, channel_id: str, user_id: str) -> None:
        """Remember that a person acted in a channel (the console's member list)."""
        self.members.setdefault((workspace_id, channel_id), set()).add(user_id)


def direct_conversation(user_id: str) -> str:
    """Name the direct conversation between a person and the bot, like Slack's D-ids."""
    return f"D{user_id}"
