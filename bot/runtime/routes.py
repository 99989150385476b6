"""The route table: every domain's routes merged, and what is made of them.

Dispatch, ``/okr help`` and the platforms' command menus all read the one table, so a command
is declared once, next to its handler, and appears everywhere it should.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from bot.ports import Command, CommandWord, Routes
from bot.replies import Refusal, Section

Session = TypeVar("Session")
T = TypeVar("T")


def merge(*parts: Routes[Session]) -> Routes[Session]:
    """One table from the domains' routes; a word, command, form, action or event claimed twice
    is a mistake in the code, refused at import."""
    words = tuple(w for part in parts for w in part.words)
    commands = tuple(c for part in parts for c in part.commands)
    _unique("command word", (w.word for w in words))
    _unique("command", (f"/{c.word} {c.sub}".strip() for c in commands))
    known = {w.word for w in words}
    stray = [c.word for c in commands if c.word not in known]
    if stray:
        raise ValueError(f"commands of undeclared words: {stray}")
    return Routes(
        words=words,
        commands=commands,
        notes=tuple(n for part in parts for n in part.notes),
        forms=_joined("form", (part.forms for part in parts)),
        actions=_joined("action", (part.actions for part in parts)),
        events=_joined("event", (part.events for part in parts)),
        conversations=tuple(c for part in parts for c in part.conversations),
    )


def command_words(table: Routes[Session]) -> tuple[str, ...]:
    """The first words of every command, in the order the domains declare them."""
    return tuple(w.word for w in table.words)


def split_command(table: Routes[Session], text: str) -> tuple[CommandWord, str] | None:
    """Split ``/story learning ...`` into the word ``story`` and "learning ..."; None if none."""
    stripped = text.strip()
    if stripped.startswith("/"):
        stripped = stripped[1:]
    first, _, rest = stripped.partition(" ")
    first = first.casefold()
    for word in table.words:
        if word.word == first:
            return word, rest.strip()
    return None


def find_command(
    table: Routes[Session], word: CommandWord, args: str
) -> tuple[Command[Session], str]:
    """The command of ``word`` that ``args`` names (longest sub-word first), and the text after."""
    tokens = [t.casefold() for t in args.split()] or word.alone.split()
    candidates = sorted(
        (c for c in table.commands if c.word == word.word),
        key=lambda c: len(c.sub.split()),
        reverse=True,
    )
    for command in candidates:
        sub = command.sub.split()
        if tokens[: len(sub)] == sub:
            rest = args.split(maxsplit=len(sub))
            return command, rest[len(sub)].strip() if len(rest) > len(sub) else ""
    raise Refusal(word.unknown)


def help_line(command: Command[Session]) -> str:
    """``/okr kr add <key result> — record a key result ... (leads)``."""
    said = " ".join(part for part in (f"/{command.word}", command.sub, command.usage) if part)
    return f"{said} — {command.summary}{' (leads)' * command.leads}"


def help_sections(table: Routes[Session]) -> list[Section]:
    """``/okr help``: each section's commands, then its notes, sections in declared order."""
    lines: dict[str, list[str]] = {}
    for command in table.commands:
        if command.section:
            lines.setdefault(command.section, []).append(help_line(command))
    for note in table.notes:
        lines.setdefault(note.section, []).append(note.text)
    return [Section(title=title, text="\n".join(said)) for title, said in lines.items()]


def slack_slash_commands(table: Routes[Session], request_url: str) -> list[dict[str, Any]]:
    """The ``features.slash_commands`` of Slack's app manifest."""
    return [
        {
            "command": f"/{word.word}",
            "url": request_url,
            "description": word.description,
            "usage_hint": " | ".join(_hint(c) for c in _menu(table, word)),
            "should_escape": True,
        }
        for word in table.words
    ]


def teams_commands(table: Routes[Session]) -> list[dict[str, str]]:
    """The ``commands`` of the bot's command list in the Teams app manifest."""
    return [
        {"title": f"{word.word} {command.sub}".strip(), "description": command.menu}
        for word in table.words
        for command in _menu(table, word)
    ]


def _menu(table: Routes[Session], word: CommandWord) -> list[Command[Session]]:
    return [c for c in table.commands if c.word == word.word and c.menu]


def _hint(command: Command[Session]) -> str:
    usage = command.usage if command.hint is None else command.hint
    return " ".join(part for part in (command.sub, usage) if part)


def _unique(what: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} declared twice: {name}")
        seen.add(name)


def _joined(what: str, maps: Iterable[Mapping[Any, T]]) -> dict[Any, T]:
    joined: dict[Any, T] = {}
    for routes in maps:
        for key, handler in routes.items():
            if key in joined:
                raise ValueError(f"{what} declared twice: {key}")
            joined[key] = handler
    return joined
