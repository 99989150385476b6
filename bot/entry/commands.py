"""What each `okrbot` command does, once cli has read its arguments and the settings."""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from adapters.console import CONSOLE, ConsoleChatPort, ConsoleSession, ConsoleState
from adapters.teams.settings import TEAMS, TeamsSettings
from bot.admin import erasure, exporting, reporting, teams_package
from bot.clock import ManualClock, SystemClock
from bot.entry import demo as scripted_demo
from bot.entry import platforms
from bot.entry.app import build
from bot.entry.settings import Settings
from bot.glue import keys
from retrospectives.learning.commands import parse_quarter
from retrospectives.okrs.concerns import escalation as concern_escalation
from storage import core, dead_letters

log = logging.getLogger("okrbot")


async def chat(args: argparse.Namespace, settings: Settings) -> int:
    clock = ManualClock(SystemClock().now())
    state = ConsoleState(
        clock=clock, workspace_id=args.workspace, channel_id=args.channel, user_id=args.user
    )
    out = sys.stdout
    app = await build(settings, clock=clock, ports={CONSOLE: ConsoleChatPort(state, out)})
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


async def demo(args: argparse.Namespace, settings: Settings) -> int:
    return await scripted_demo.run(sys.stdout)


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    app = await build(settings)
    await app.close()
    print("The database is at the newest migration.", file=sys.stderr)
    return 0


async def report(args: argparse.Namespace, settings: Settings) -> int:
    quarter = parse_quarter(args.quarter) if args.quarter else None
    if args.quarter and quarter is None:
        print(
            f"okrbot: read --quarter as YYYYQn, such as 2027Q1, not {args.quarter}", file=sys.stderr
        )
        return 2
    app = await build(settings)
    try:
        async with app.sessions() as session:
            team = await reporting.team_named(session, workspace=args.workspace, name=args.team)
            page = await reporting.page(session, team=team, quarter=quarter, now=app.clock.now())
    except reporting.NoSuchTeam as missing:
        print(f"okrbot: {missing}", file=sys.stderr)
        return 1
    finally:
        await app.close()
    if args.output:
        args.output.write_text(page, encoding="utf-8")
        print(f"Wrote the report of {team.name} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(page)
    return 0


async def export(args: argparse.Namespace, settings: Settings) -> int:
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
        log.debug("export failure", exc_info=True)  # -vv shows where it failed
        return 1
    finally:
        await app.close()
    log.info("exported %s records", written)
    if args.output:
        print(f"Exported {written} records to {args.output}.", file=sys.stderr)
    return 0


async def run_due(args: argparse.Namespace, settings: Settings) -> int:
    clock = ManualClock(args.now or SystemClock().now())
    state = ConsoleState(clock=clock)
    app = await build(settings, clock=clock, ports={CONSOLE: ConsoleChatPort(state, sys.stdout)})
    connections = app.connect()
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


async def rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.secret_keys:
        print(
            "okrbot: set OKRBOT_SECRET_KEY to the new key, then the old ones, comma-separated",
            file=sys.stderr,
        )
        return 2
    app = await build(settings)
    try:
        done = await keys.rotate(app.sessions, settings.secret_key)
    finally:
        await app.close()
    print(f"Re-encrypted {done.rotated} stored token(s) with the newest key.")
    if not done.unreadable:
        return 0
    print(
        f"okrbot: {len(done.unreadable)} {keys.unreadable_detail(done.unreadable)}; they were "
        "left as they were. Keep the old keys in OKRBOT_SECRET_KEY until this reports none.",
        file=sys.stderr,
    )
    return 1


async def teams_app(args: argparse.Namespace, settings: Settings) -> int:
    teams = settings.platforms.get(TEAMS)
    try:
        built = teams_package.package(
            teams.microsoft_app_id if isinstance(teams, TeamsSettings) else "",
            settings.public_url,
            privacy_url=settings.privacy_url,
            terms_url=settings.terms_url,
        )
    except teams_package.PackageError as error:
        print(f"okrbot: {error}", file=sys.stderr)
        return 2
    args.output.write_bytes(built)
    print(f"Wrote the Teams app package to {args.output}.", file=sys.stderr)
    return 0


async def doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.entry import doctor as checkup  # here: the other commands load no platform SDK

    return await checkup.run(settings, sys.stdout)


async def escalation(args: argparse.Namespace, settings: Settings) -> int:
    """Choose where a workspace's concerns go when left unanswered (``--off``: nowhere)."""
    if args.after_days < 1:
        print("okrbot: --after-days is at least 1.", file=sys.stderr)
        return 2
    app = await build(settings)
    try:
        async with app.sessions() as session, session.begin():
            workspace = await core.get_or_create_workspace(
                session, platform=args.platform, external_id=args.workspace, now=app.clock.now()
            )
            channel = None if args.off else args.channel
            await concern_escalation.choose(
                session, workspace_id=workspace.id, channel_id=channel, after_days=args.after_days
            )
    finally:
        await app.close()
    if args.off:
        print(f"Concerns of {args.workspace} are no longer escalated.")
    else:
        print(
            f"Concerns of {args.workspace} left unanswered for {args.after_days} days are "
            f"raised in {args.channel}, and their team is told."
        )
    return 0


async def erase_user(args: argparse.Namespace, settings: Settings) -> int:
    app = await build(settings)
    try:
        async with app.sessions() as session, session.begin():
            counts = await erasure.erase_user(
                session,
                platform=args.platform,
                user_id=args.user,
                forget=platforms.forgetting(args.platform),
            )
    finally:
        await app.close()
    print(f"Erased {args.user} from every {args.platform} workspace:")
    for label, count in counts.items():
        print(f"  {label}: {count}")
    return 0


async def outbox(args: argparse.Namespace, settings: Settings) -> int:
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
