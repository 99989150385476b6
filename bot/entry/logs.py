"""Keep secrets out of the log: a filter that redacts them from every record.

Levels alone are not enough. slack_sdk logs the body of every Web API answer at DEBUG, so the
``oauth.v2.access`` answer of an install writes the new bot token; an SDK's exception message,
logged at WARNING or ERROR, can quote a request; and what an SDK logs at which level changes
between its versions. So every record that reaches okrbot's handler is redacted, whatever its
level and logger: the secrets okrbot was configured with, by value, and anything shaped like a
token, by pattern. Levels are still capped where a logger's detail is people's words rather than
what happened (the SQL parameters of the database drivers).

Lines are text or, with ``OKRBOT_LOG_FORMAT=json``, one JSON object each; both carry the event
being handled, its workspace and its platform (bot.runtime.context) when there is one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from aiohttp.http_exceptions import HttpProcessingError

from bot.runtime import context

REDACTED = "[redacted]"
# Shorter configured values (a one-letter password in a test) are left alone: redacting every
# occurrence of them would blank out ordinary words rather than protect anything.
SHORTEST_SECRET = 6

_SHAPES = (
    # Slack tokens: bot, user, app-level, refresh, configuration (xoxb-, xoxp-, xapp-, xoxe.xoxp-)
    re.compile(r"\bxox[a-z]?(?:\.xox[a-z])?-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+"),
    # JSON Web Tokens (Bot Framework and Microsoft Entra access tokens)
    re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
    # Fernet tokens: okrbot's sealed platform tokens
    re.compile(r"\bgAAAAA[A-Za-z0-9_=-]{20,}"),
)
# The value after a secret-sounding name, in headers, JSON, dict reprs and query strings.
_NAMED = re.compile(
    r"""(?ix)
    ( \b(?:authorization ['"]? \s* [:=] \s* ['"]? (?:bearer\s+|basic\s+)? | bearer\s+)
    | \b(?:access_token|refresh_token|id_token|bot_token|app_token|client_secret|
           signing_secret|client_assertion|app_password|password|secret|token)
      ['"]? \s* [:=] \s* \[? \s* ['"]?
    | ['"]code['"] \s* : \s* \[? \s* ['"] | [?&]code=  # an OAuth grant, until it is spent
    )
    ( [^\s'",&;:(){}\[\]]+ )
    """
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace configured secrets and token-shaped strings in ``text`` by ``[redacted]``."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _NAMED.sub(lambda m: m.group(1) + REDACTED, text)
    for shape in _SHAPES:
        text = shape.sub(REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Redact secrets from a record's message, arguments, exception and stack before it is written.

    The message is formatted once here and its arguments dropped, so that no handler, formatter
    or log shipper sees an argument unredacted.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple({s for s in secrets if len(s) >= SHORTEST_SECRET})

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message must not break the caller
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted, self._secrets)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


# The Slack SDKs log at DEBUG the body of every Web API request and answer, and of every answer
# to Slack: people's words next to who they go to (a DM channel is named after its person, an
# answer to a modal comes from someone). The line stays, it says which call and what status;
# what follows the first parameter, header or body is dropped. Levels would drop the line too.
_SDK_BODIES = ("slack_sdk", "slack_bolt")
_BODY = re.compile(r"(?s)(?:,\s*(?:params|headers|body)\s*:|\s+body\s*:).*")
BODY_DROPPED = " [body not logged]"


class DropBodies(logging.Filter):
    """Drop the bodies the Slack SDKs log below INFO, keeping the rest of the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.startswith(_SDK_BODIES):
            try:
                message = record.getMessage()
            except Exception:  # arguments that do not fit the message must not break the caller
                message = str(record.msg)
            record.msg, record.args = _BODY.sub(BODY_DROPPED, message, count=1), None
        return True


class QuietBadRequests(logging.Filter):
    """Log a request aiohttp refuses as malformed (it answers 400) as a line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        # Anyone can send these, as often as they like: no traceback says more than the name.
        if isinstance(error, HttpProcessingError) and 400 <= error.code < 500:
            record.msg = f"{record.getMessage()}: {type(error).__name__} {error.code}"
            record.args, record.exc_info, record.exc_text = None, None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def install(secrets: Iterable[str] = (), handlers: Iterable[logging.Handler] = ()) -> None:
    """Put the body-dropping, bad-request and redacting filters on each of ``handlers``."""
    chosen = list(handlers) or logging.getLogger().handlers
    for handler in chosen:
        if not any(isinstance(f, QuietBadRequests) for f in handler.filters):
            handler.addFilter(QuietBadRequests())
        if not any(isinstance(f, DropBodies) for f in handler.filters):
            handler.addFilter(DropBodies())
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets(secrets))


# Loggers whose detail below WARNING is people's words rather than what happened: the database
# drivers log each statement's parameters, which in one transaction put an anonymous answer
# beside who sent it.
WORDY = ("sqlalchemy.engine", "sqlalchemy.pool", "aiosqlite", "asyncpg")


def configure(
    level: int, secrets: Iterable[str] = (), handlers: Iterable[logging.Handler] = ()
) -> None:
    """Cap the wordy loggers at ``level`` or WARNING, and redact every record ``handlers`` write."""
    for name in WORDY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    install(secrets, handlers)


class WithContext(logging.Filter):
    """Copy what the current event's log context says onto each record (bot.runtime.context)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context.current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class TextLines(logging.Formatter):
    """A line of text, with the event's platform, workspace and id at its end when it has them."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        about = [f"{name}={getattr(record, name)}" for name in context.FIELDS if _has(record, name)]
        return f"{line} [{' '.join(about)}]" if about else line


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the event's fields, any trace.

    Written here rather than taken from a JSON-logging package: the standard library's encoder
    does the escaping (a newline in a message stays inside its line), the fields are few and
    fixed, and the image and its lock file need no package for it.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in context.FIELDS if _has(record, name)})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def _has(record: logging.LogRecord, name: str) -> bool:
    return bool(getattr(record, name, ""))


class Stderr(logging.StreamHandler[TextIO]):
    """Write each record to whatever ``sys.stderr`` is then (a test may have replaced it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


FORMATS = ("text", "json")
HANDLER = "okrbot"


def set_up(level: int, *, json_lines: bool = False, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at ``level``, as text or JSON lines, every record with its context, redacted.

    Calling it again replaces okrbot's handler rather than adding a second one.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER]:
        root.removeHandler(old)
    handler = Stderr()
    handler.set_name(HANDLER)
    handler.setFormatter(JsonLines() if json_lines else TextLines())
    handler.addFilter(WithContext())  # first, so the context is there for every later filter
    root.addHandler(handler)
    root.setLevel(level)
    configure(level, secrets)
