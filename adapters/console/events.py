"""Turn what is typed on the console into the ChatEvents the core understands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.console.state import ConsoleState, OnScreenButton
from bot.events import ChatEvent, EventKind, Platform, mention

CONSOLE = Platform("console")

BOT_MENTION = "@okrbot"
# On the console people are their ids: in what is said to the bot, ``@U2`` (not inside a
# word, as in an address) is a mention of U2.
_PERSON = re.compile(r"(?<![\w@<])@([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def to_chat_event(line: str, state: ConsoleState) -> ChatEvent:
    """Map a chat line (not a directive) to an event from the current person and place."""
    text = line.strip()
    kind = EventKind.COMMAND if text.startswith("/") else EventKind.MESSAGE
    mentions_bot = False
    head, _, rest = text.partition(" ")
    if kind is EventKind.MESSAGE and head.casefold() == BOT_MENTION:
        mentions_bot, text = True, rest.strip()
    if kind is EventKind.COMMAND or mentions_bot or state.direct:
        text = in_core_form(text)
    return _event(state, kind, text=text, mentions_bot=mentions_bot)


def in_core_form(text: str) -> str:
    """Write each ``@id`` typed as a mention in the core's form (:func:`bot.events.mention`)."""
    return _PERSON.sub(lambda m: mention(m.group(1)), text)


def button_event(state: ConsoleState, pressed: OnScreenButton) -> ChatEvent:
    """Map a press on a button shown earlier to an event in that button's conversation."""
    return _event(
        state,
        EventKind.BUTTON,
        channel_id=pressed.channel_id,
        is_direct=pressed.is_direct,
        action_id=pressed.button.action_id,
        action_value=pressed.button.value,
        target_message_id=pressed.message_id,
    )


def form_event(state: ConsoleState, form_id: str, values: Mapping[str, str]) -> ChatEvent:
    """Map a `!form` line to a form submission, handing back the context it was shown with."""
    shown = state.forms.get(form_id)
    return _event(
        state,
        EventKind.FORM_SUBMISSION,
        form_id=form_id,
        form_values=dict(values),
        form_context=shown.context if shown is not None else "",
    )


def reaction_event(state: ConsoleState, message_id: str, reaction: str) -> ChatEvent:
    """Map a `!react` line to a reaction on one of the bot's messages."""
    return _event(state, EventKind.REACTION, reaction=reaction, target_message_id=message_id)


def _event(state: ConsoleState, kind: EventKind, **details: Any) -> ChatEvent:
    details.setdefault("channel_id", state.conversation_id)
    details.setdefault("is_direct", state.direct)
    return ChatEvent(
        platform=CONSOLE,
        workspace_id=state.workspace_id,
        user_id=state.user_id,
        kind=kind,
        occurred_at=state.clock.now(),
        event_id=state.event_id,
        **details,
    )
