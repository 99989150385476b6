"""The `okrbot` command: talk to the bot in a terminal, run the demo, look after the data."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import as_utc
from bot.entry import logs, platforms
from bot.entry.settings import Settings

log = logging.getLogger("okrbot")

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `okrbot` command and return its exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings.from_environment(platforms=platforms.PLATFORMS)
    # -v may come before the command or after it; the action is shared, so it has no default
    _configure_logging(getattr(args, "verbose", 0), settings)
    command: Command = args.command
    try:
        return asyncio.run(command(args, settings))
    except SQLAlchemyError as error:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        print(
            f"okrbot: the database at {where} failed: {error.__class__.__name__}", file=sys.stderr
        )
        log.debug("database failure", exc_info=True)  # the line above says it; -vv shows how
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log what happens to stderr (-vv for more)",
    )
    parser = argparse.ArgumentParser(
        prog="okrbot",
        description="A chat bot for OKR retrospectives, learning stories and team shout-outs.",
        parents=[common],
    )
    subcommands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    chat = subcommands.add_parser(
        "chat", parents=[common], help="talk to okrbot in this terminal (stdin works too)"
    )
    chat.add_argument("--workspace", default="W1", help="workspace id (default: W1)")
    chat.add_argument("--channel", default="C1", help="channel to start in (default: C1)")
    chat.add_argument("--user", default="U1", help="who you are (default: U1)")
    chat.set_defaults(command=_later("chat"))

    demo = subcommands.add_parser(
        "demo", parents=[common], help="play a scripted quarter on a temporary database"
    )
    demo.set_defaults(command=_later("demo"))

    migrate = subcommands.add_parser(
        "migrate", parents=[common], help="upgrade the database to the newest migration"
    )
    migrate.set_defaults(command=_later("migrate"))

    export = subcommands.add_parser(
        "export", parents=[common], help="write every record as JSON Lines"
    )
    export.add_argument("--workspace", help="only this workspace (its Slack/Teams id)")
    export.add_argument("--output", type=Path, help="write to this file (default: stdout)")
    export.set_defaults(command=_later("export"))

    report = subcommands.add_parser(
        "report", parents=[common], help="write a team's quarterly learning report as HTML"
    )
    report.add_argument("--workspace", required=True, help="the workspace (its Slack/Teams id)")
    report.add_argument("--team", required=True, help="the team's name")
    report.add_argument("--quarter", help="YYYYQn, such as 2027Q1 (default: the current one)")
    report.add_argument("--output", type=Path, help="write to this file (default: stdout)")
    report.set_defaults(command=_later("report"))

    run_due = subcommands.add_parser(
        "run-due",
        parents=[common],
        help="do all scheduled work due now (or at --now) once, deliver messages, and exit",
    )
    run_due.add_argument(
        "--now",
        type=_instant,
        help="the instant to act at, ISO-8601 (2027-03-22T09:00Z; no offset means UTC)",
    )
    run_due.set_defaults(command=_later("run_due"))

    outbox = subcommands.add_parser(
        "outbox",
        parents=[common],
        help="list messages waiting to be sent (or dead letters); retry dead letters",
        description="Without an action, list messages waiting to be sent (--dead: the dead "
        "letters) with their id, age, target and reason, never their text. "
        "`okrbot outbox retry ID...` or `okrbot outbox retry --all-dead` puts dead letters "
        "back in the queue.",
    )
    outbox.add_argument("action", nargs="?", choices=["retry"], help="retry dead letters")
    outbox.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead letters to retry")
    outbox.add_argument("--dead", action="store_true", help="list dead letters instead")
    outbox.add_argument("--workspace", help="only this workspace (its Slack/Teams id)")
    outbox.add_argument("--all-dead", action="store_true", help="with retry: every dead letter")
    outbox.set_defaults(command=_later("outbox"))

    kept = subcommands.add_parser(
        "inbox",
        parents=[common],
        help="list the inbox's dead letters and what waits; replay dead letters",
        description="Without an action, list the events given up after their tries (dead "
        "letters) with their id, time, workspace and error, never their content, and how many "
        "events wait to be handled. `okrbot inbox replay ID...` or `okrbot inbox replay "
        "--all-dead` hands dead letters to the worker again.",
    )
    kept.add_argument("action", nargs="?", choices=["replay"], help="replay dead letters")
    kept.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead letters to replay")
    kept.add_argument("--all-dead", action="store_true", help="with replay: every dead letter")
    kept.set_defaults(command=_later("inbox", "bot.entry.inbox_admin"))

    escalation = subcommands.add_parser(
        "escalation",
        parents=[common],
        help="choose the channel where a workspace's unanswered metric concerns are raised",
    )
    escalation.add_argument("--platform", required=True, choices=platforms.names())
    escalation.add_argument("--workspace", required=True, help="its Slack/Teams id")
    chosen = escalation.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--channel", help="the escalation channel's id")
    chosen.add_argument("--off", action="store_true", help="escalate this workspace's no more")
    escalation.add_argument(
        "--after-days", type=int, default=14, help="days a concern waits for an answer (14)"
    )
    escalation.set_defaults(command=_later("escalation"))

    erase = subcommands.add_parser(
        "erase-user", parents=[common], help="remove or anonymise one person's data"
    )
    erase.add_argument("--platform", required=True, choices=platforms.names())
    erase.add_argument("--user", required=True, help="the person's id on that platform")
    erase.set_defaults(command=_later("erase_user"))

    rotate = subcommands.add_parser(
        "rotate-key",
        parents=[common],
        help="re-encrypt every stored platform token with the newest key of OKRBOT_SECRET_KEY",
    )
    rotate.set_defaults(command=_later("rotate_key"))

    teams = subcommands.add_parser(
        "teams-package",
        parents=[common],
        help="build the Teams app package (zip) for MICROSOFT_APP_ID at OKRBOT_PUBLIC_URL",
    )
    teams.add_argument(
        "--output",
        type=Path,
        default=Path("okrbot-teams.zip"),
        help="where to write it (default: okrbot-teams.zip)",
    )
    teams.set_defaults(command=_later("teams_app"))

    doctor = subcommands.add_parser(
        "doctor",
        parents=[common],
        help="check the configuration and all it reaches; exit 0 only when all is well",
    )
    doctor.set_defaults(command=_later("doctor"))

    serve = subcommands.add_parser(
        "serve",
        parents=[common],
        help="serve Slack (HTTP or Socket Mode), Teams, health and metrics",
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")  # noqa: S104
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default: 3000)")
    serve.add_argument(
        "--socket-mode", action="store_true", help="also take Slack events over Socket Mode"
    )
    serve.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="run neither the scheduler nor the outbox delivery in this process",
    )
    serve.set_defaults(command=_serve)

    work = subcommands.add_parser(
        "work",
        parents=[common],
        help="run serve's background work (the inbox worker, the outbox, the scheduler) without "
        "taking requests, beside serve replicas run with OKRBOT_INBOX_WORKER=off",
    )
    work.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")  # noqa: S104
    work.add_argument("--port", type=int, default=3001, help="port to listen on (default: 3001)")
    work.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="run neither the scheduler nor the outbox delivery in this process",
    )
    work.add_argument(
        "--poll",
        type=_seconds,
        default=0.1,
        help="seconds between looks for new events while none waits (default: 0.1)",
    )
    work.set_defaults(command=_work)
    return parser


def _later(name: str, module: str = "bot.entry.commands") -> Command:
    """The command ``name`` of ``module``, imported when it runs: `okrbot serve` loads no
    console, export, report or demo code, and starts that much sooner."""

    async def run(args: argparse.Namespace, settings: Settings) -> int:
        command: Command = getattr(importlib.import_module(module), name)
        return await command(args, settings)

    return run


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.entry import server  # here: the other commands load no web stack

    return await server.serve(
        settings,
        host=args.host,
        port=args.port,
        socket_mode=args.socket_mode,
        scheduler=args.scheduler,
    )


async def _work(args: argparse.Namespace, settings: Settings) -> int:
    from bot.entry import work  # here: the other commands load no web stack

    return await work.work(
        settings, host=args.host, port=args.port, scheduler=args.scheduler, poll=args.poll
    )


def _seconds(text: str) -> float:
    seconds = float(text) if text.replace(".", "", 1).isdigit() else 0.0
    if not 0 < seconds <= 60:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 to 60")
    return seconds


def _configure_logging(verbosity: int, settings: Settings) -> None:
    """Log at OKRBOT_LOG_LEVEL (INFO unless set), at least INFO with -v and DEBUG with -vv."""
    names = logging.getLevelNamesMapping()
    level = names.get(settings.log_level, logging.INFO)
    if verbosity:
        level = min(level, logging.INFO if verbosity == 1 else logging.DEBUG)
    # Loggers whose detail is people's words are capped, and every record is redacted too,
    # whatever its level: see bot.entry.logs for why levels are not enough.
    logs.set_up(
        level,
        json_lines=settings.log_format == "json",
        secrets=[
            settings.secret_key,
            *settings.secret_keys,
            *(secret for p in platforms.PLATFORMS for secret in p.secrets(settings.of(p))),
        ],
    )
    if settings.log_level not in names:
        log.warning("OKRBOT_LOG_LEVEL=%s is no level name; logging at INFO", settings.log_level)
    if settings.log_format not in logs.FORMATS:
        log.warning("OKRBOT_LOG_FORMAT=%s is not text or json; writing text", settings.log_format)


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time such as 2027-03-22T09:00Z"
        ) from None
    return as_utc(moment)
