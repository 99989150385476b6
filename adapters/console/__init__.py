"""The terminal as a chat platform: used by `okrbot chat` and `okrbot demo`."""

from adapters.console.directives import HELP
from adapters.console.events import CONSOLE, to_chat_event
from adapters.console.port import ConsoleChatPort, ConsoleDirectory
from adapters.console.rendering import render, render_delivery
from adapters.console.session import ConsoleSession
from adapters.console.state import ConsoleState

__all__ = [
    "CONSOLE",
    "HELP",
    "ConsoleChatPort",
    "ConsoleDirectory",
    "ConsoleSession",
    "ConsoleState",
    "render",
    "render_delivery",
    "to_chat_event",
]
