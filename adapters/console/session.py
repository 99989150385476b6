"""A console session: read lines, steer by directives, hand events to the core, print replies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TextIO

from adapters.console import directives, events, rendering
from adapters.console.directives import (
    ActAs,
    Chat,
    GoDirect,
    MoveTo,
    Nothing,
    Press,
    Problem,
    React,
    SetTime,
    ShowHelp,
    SubmitForm,
    UseWorkspace,
)
from adapters.console.port import offer_buttons
from adapters.console.state import ConsoleState
from bot.events import ChatEvent
from bot.ports import EventHandler
from bot.replies import Outcome, Visibility

log = logging.getLogger(__name__)

AfterEvent = Callable[[], Awaitable[object]]


class ConsoleSession:
    """Talk to okrbot from a terminal, a pipe or a script, as one person or several.

    ``after_event`` is awaited after each event and each move of the clock; the composition
    uses it to deliver the outbox and do due work, so that what a line causes prints after it.
    """

    def __init__(
        self,
        state: ConsoleState,
        handle: EventHandler,
        out: TextIO,
        *,
        after_event: AfterEvent | None = None,
        echo: bool = False,
    ) -> None:
        self.state = state
        self._handle = handle
        self._out = out
        self._after_event = after_event
        self._echo = echo

    @property
    def prompt(self) -> str:
        """What a person sees before typing: who they are and where."""
        where = "to okrbot" if self.state.direct else f"in #{self.state.channel_id}"
        return f"{self.state.user_id} {where}> "

    async def run(self, stream: TextIO, *, show_prompt: bool = False) -> None:
        """Read lines until the end of the input."""
        while True:
            if show_prompt:
                self._out.write(self.prompt)
                self._out.flush()
            line = await asyncio.to_thread(stream.readline)
            if not line:
                return
            await self.feed(line)

    async def play(self, lines: Iterable[str]) -> None:
        """Type a script of lines, one after the other."""
        for line in lines:
            await self.feed(line)

    def note(self, text: str) -> None:
        """Print a line from the console itself (not from the bot)."""
        self._out.write(f"console: {text}\n")

    async def feed(self, line: str) -> None:
        """Take one line: a directive is applied here, anything else goes to the bot."""
        read = directives.read(line)
        if self._echo and not isinstance(read, Nothing):
            self._out.write(f"{self.prompt}{line.strip()}\n")
        match read:
            case Nothing():
                pass
            case Problem(message):
                self.note(message)
            case ShowHelp():
                self._out.write(directives.HELP + "\n")
            case Chat(text):
                await self._send(events.to_chat_event, text)
            case ActAs(user_id):
                self.state.user_id = user_id
                self.note(f"you are {user_id} now, {self._where()}.")
            case MoveTo(channel_id):
                self.state.channel_id, self.state.direct = channel_id, False
                self.note(f"you are in #{channel_id} now.")
            case GoDirect():
                self.state.direct = True
                self.note("you are in your direct chat with okrbot now.")
            case UseWorkspace(workspace_id):
                self.state.workspace_id = workspace_id
                self.note(f"you are in workspace {workspace_id} now, {self._where()}.")
            case SetTime():
                self._set_time(read)
                await self._after()  # work may have fallen due: reminders, digests
            case Press(number):
                await self._press(number)
            case SubmitForm(form_id, values):
                await self._send(lambda _text, state: events.form_event(state, form_id, values))
            case React(reaction):
                await self._react(reaction)

    def _where(self) -> str:
        return "in your direct chat" if self.state.direct else f"in #{self.state.channel_id}"

    def _set_time(self, wanted: SetTime) -> None:
        clock = self.state.clock
        if wanted.step is not None:
            clock.advance(wanted.step)
        elif wanted.moment is not None:
            clock.set(wanted.moment)
        self.note(f"the time is now {clock.now():%a %Y-%m-%d %H:%M} UTC.")

    async def _press(self, number: int) -> None:
        shown = self.state.buttons
        if not shown:
            self.note("there is no button to press: the bot's recent messages had none.")
            return
        if number > len(shown):
            choices = "1" if len(shown) == 1 else f"1 to {len(shown)}"
            self.note(f"there is no button {number}; press one of {choices}.")
            return
        pressed = shown[number - 1]
        await self._send(lambda _text, state: events.button_event(state, pressed))

    async def _react(self, reaction: str) -> None:
        message_id = self.state.last_message.get(self.state.conversation_id)
        if message_id is None:
            self.note(f"okrbot has said nothing {self._where()} yet to react to.")
            return
        self.note(f"{self.state.user_id} reacted :{reaction}: to okrbot's last message here.")
        await self._send(lambda _text, state: events.reaction_event(state, message_id, reaction))

    async def _send(self, make: Callable[[str, ConsoleState], ChatEvent], text: str = "") -> None:
        self.state.events_sent += 1
        event = make(text, self.state)
        if not event.is_direct:
            self.state.note_member(event.workspace_id, event.channel_id, event.user_id)
        try:
            outcome = await self._handle(event)
        except Exception as error:  # the console must survive a bug in the core
            log.exception("okrbot failed on %r", text)
            self.note(f"okrbot failed on that line ({type(error).__name__}: {error}).")
            return
        self._show(outcome, event)
        await self._after()

    async def _after(self) -> None:
        """Give the composition its turn (deliver messages, do due work) after a step."""
        if self._after_event is None:
            return
        try:
            await self._after_event()
        except Exception as error:  # same as above: report, and keep the session going
            log.exception("the work after a line failed")
            self.note(f"the work after that line failed ({type(error).__name__}: {error}).")

    def _show(self, outcome: Outcome, event: ChatEvent) -> None:
        place = "" if event.is_direct else f"#{event.channel_id}"
        number_on = False
        for reply in outcome.replies:
            message_id = self.state.next_message_id()
            if reply.visibility is Visibility.CHANNEL:
                self.state.last_message[event.channel_id] = message_id
            if reply.form is not None:
                self.state.forms[reply.form.form_id] = reply.form
            first = offer_buttons(
                self.state,
                reply,
                message_id,
                event.channel_id,
                is_direct=event.is_direct,
                number_on=number_on,
            )
            number_on = number_on or bool(reply.buttons)
            self._out.write(rendering.render(reply, place=place, first_button=first) + "\n")
        if outcome.form_errors:
            self._out.write(rendering.render_form_errors(outcome.form_errors) + "\n")
