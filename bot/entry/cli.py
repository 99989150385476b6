"""The `okrbot` command: talk to the bot in a terminal, run the demo, look after the data."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters.console import ConsoleChatPort, ConsoleSession, ConsoleState
from bot.admin import erasure, exporting
from bot.clock import ManualClock, SystemClock, as_utc
from bot.entry import demo, logs, platforms
from bot.entry.app import build
from bot.entry.settings import Settings
from bot.events import Platform
from storage import dead_letters

log = logging.getLogger("okrbot")

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `okrbot` command and return its exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    settings = Settings.from_environment()
    command: Command = args.command
    try:
        return asyncio.run(command(args, settings))
    except SQLAlchemyError as error:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        print(
            f"okrbot: the database at {where} failed: {error.__class__.__name__}", file=sys.stderr
        )
        log.info("database failure", exc_info=True)
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
    parser.set_defaults(verbose=0)
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    chat = commands.add_parser(
        "chat", parents=[common], help="talk to okrbot in this terminal (stdin works too)"
    )
    chat.add_argument("--workspace", default="W1", help="workspace id (default: W1)")
    chat.add_argument("--channel", default="C1", help="channel to start in (default: C1)")
    chat.add_argument("--user", default="U1", help="who you are (default: U1)")
    chat.set_defaults(command=_chat)

    demo = commands.add_parser(
        "demo", parents=[common], help="play a scripted quarter on a temporary database"
    )
    demo.set_defaults(command=_demo)

    migrate = commands.add_parser(
        "migrate", parents=[common], help="upgrade the database to the newest migration"
    )
    migrate.set_defaults(command=_migrate)

    export = commands.add_parser(
        "export", parents=[common], help="write every record as JSON Lines"
    )
    export.add_argument("--workspace", help="only this workspace (its Slack/Teams id)")
    export.add_argument("--output", type=Path, help="write to this file (default: stdout)")
    export.set_defaults(command=_export)

    run_due = commands.add_parser(
        "run-due",
        parents=[common],
        help="do all scheduled work due now (or at --now) once, deliver messages, and exit",
    )
    run_due.add_argument(
        "--now",
        type=_instant,
        help="the instant to act at, ISO-8601 (2027-03-22T09:00Z; no offset means UTC)",
    )
    run_due.set_defaults(command=_run_due)

    outbox = commands.add_parser(
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
    outbox.set_defaults(command=_outbox)

    erase = commands.add_parser(
        "erase-user", parents=[common], help="remove or anonymise one person's data"
    )
    erase.add_argument("--platform", required=True, choices=[p.value for p in Platform])
    erase.add_argument("--user", required=True, help="the person's id on that platform")
    erase.set_defaults(command=_erase_user)

    serve = commands.add_parser(
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
    return parser


def _configure_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Loggers whose detail is people's words are capped, and every record is redacted too,
    # whatever its level: see bot.entry.logs for why levels are not enough.
    configured = Settings.from_environment()
    logs.configure(
        level,
        [
            configured.slack_bot_token,
            configured.slack_app_token,
            configured.slack_client_secret,
            configured.slack_signing_secret,
            configured.microsoft_app_password,
            *configured.secret_key.split(","),
        ],
    )


async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    clock = ManualClock(SystemClock().now())
    state = ConsoleState(
        clock=clock, workspace_id=args.workspace, channel_id=args.channel, user_id=args.user
    )
    out = sys.stdout
    app = await build(
        settings, clock=clock, ports={Platform.CONSOLE.value: ConsoleChatPort(state, out)}
    )
    interactive = sys.stdin.isatty()
    session = ConsoleSession(state, app.handle, out, after_event=app.tick, echo=not interactive)
    try:
        if interactive:
            out.write(
                "okrbot console. Type /okr help for the bot, !help for the console, "
                "Ctrl-D to leave.\n"
            )
        await session.run(sys.stdin, show_prompt=interactive)
    finally:
        await app.close()
    return 0


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    return await demo.run(sys.stdout)


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    app = await build(settings)
    await app.close()
    print("The database is at the newest migration.", file=sys.stderr)
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    app = await build(settings)
    unfinished = f"{args.output} was not written" if args.output else "the output is incomplete"
    target: AbstractContextManager[TextIO] = (
        exporting.replacing(args.output) if args.output else nullcontext(sys.stdout)
    )
    try:
        with target as out:
            written = await exporting.export(app.sessions, out, workspace=args.workspace)
    except SQLAlchemyError:
        print(f"okrbot: the export stopped part-way; {unfinished}.", file=sys.stderr)
        raise  # main() says which database failed
    except Exception as error:  # whatever stopped it, say so and leave nothing that looks whole
        print(
            f"okrbot: the export failed ({error.__class__.__name__}: {error}); {unfinished}.",
            file=sys.stderr,
        )
        log.info("export failure", exc_info=True)
        return 1
    finally:
        await app.close()
    log.info("exported %s records", written)
    if args.output:
        print(f"Exported {written} records to {args.output}.", file=sys.stderr)
    return 0


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time such as 2027-03-22T09:00Z"
        ) from None
    return as_utc(moment)


async def _run_due(args: argparse.Namespace, settings: Settings) -> int:
    clock = ManualClock(args.now or SystemClock().now())
    state = ConsoleState(clock=clock)
    app = await build(
        settings, clock=clock, ports={Platform.CONSOLE.value: ConsoleChatPort(state, sys.stdout)}
    )
    connections = platforms.connect(app)
    try:
        report = await app.tick()
    finally:
        await connections.close()
        await app.close()
    print(
        f"At {clock.now().isoformat()}: planned {report.planned}, performed {report.performed}, "
        f"skipped {report.skipped} (missed), delivered {report.delivered} message(s).",
        file=sys.stderr,
    )
    return 0


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.entry import server  # imported here so that the other commands load no web stack

    return await server.serve(
        settings,
        host=args.host,
        port=args.port,
        socket_mode=args.socket_mode,
        scheduler=args.scheduler,
    )


async def _erase_user(args: argparse.Namespace, settings: Settings) -> int:
    app = await build(settings)
    try:
        async with app.sessions() as session, session.begin():
            counts = await erasure.erase_user(session, platform=args.platform, user_id=args.user)
    finally:
        await app.close()
    print(f"Erased {args.user} from every {args.platform} workspace:")
    for label, count in counts.items():
        print(f"  {label}: {count}")
    return 0


async def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    if args.action != "retry" and (args.ids or args.all_dead):
        print("okrbot: message ids and --all-dead go with `okrbot outbox retry`", file=sys.stderr)
        return 2
    if args.action == "retry" and bool(args.ids) == bool(args.all_dead):
        print("okrbot: say which dead letters to retry: ids, or --all-dead", file=sys.stderr)
        return 2
    app = await build(settings)
    try:
        async with app.sessions() as session, session.begin():
            now = app.clock.now()
            if args.action == "retry":
                wanted = None if args.all_dead else set(args.ids)
                revived = await dead_letters.revive(session, now=now, ids=wanted)
            else:
                found = await dead_letters.unsent_messages(
                    session, dead=args.dead, workspace=args.workspace
                )
    finally:
        await app.close()
    if args.action == "retry":
        print(f"Put {revived} dead letter(s) back in the queue.")
        if wanted is not None and revived < len(wanted):
            print("okrbot: some of those ids are no dead letters", file=sys.stderr)
            return 1
        return 0
    print("id\tage\tplatform\tworkspace\ttarget\tattempts\treason")
    for message in found:
        reason = f"{message.reason}: {message.error}" if message.reason else message.error or ""
        print(
            f"{message.id}\t{_age(now - message.created_at)}\t{message.platform}\t"
            f"{message.workspace}\t{message.audience}:{message.target_id}\t"
            f"{message.attempts}\t{reason}"
        )
    return 0


def _age(age: timedelta) -> str:
    minutes = max(int(age.total_seconds()) // 60, 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d{hours}h" if days else f"{hours}h{minutes:02d}m"
