"""`okrbot inbox`: the events kept and not yet handled, the dead letters, and replaying them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.entry.app import build
from bot.entry.settings import Settings
from storage import inbox_watch as kept


async def lines(sessions: async_sessionmaker[AsyncSession], *, now: datetime) -> list[str]:
    """The dead letters, one line each (never their body), and a summary line."""
    async with sessions() as session:
        depth = await kept.depth(session, now)
        dead = await kept.dead_letters(session)
    shown = ["id\treceived\tplatform\tworkspace\tattempts\terror"]
    shown += [
        f"{d.id}\t{d.received_at:%Y-%m-%d %H:%M}\t{d.platform}\t{d.workspace}\t{d.attempts}\t"
        f"{d.error or ''}"
        for d in dead
    ]
    waiting = sum(depth.pending.values())
    oldest = max(depth.oldest_age.values(), default=0.0)
    shown.append(f"{waiting} waiting (oldest {oldest:.0f} s), {len(dead)} dead")
    return shown


async def replay(
    sessions: async_sessionmaker[AsyncSession], ids: Collection[int] | None, *, now: datetime
) -> int:
    async with sessions() as session, session.begin():
        return await kept.replay(session, ids, now)


async def inbox(args: argparse.Namespace, settings: Settings) -> int:
    if args.action != "replay" and (args.ids or args.all_dead):
        print("okrbot: ids and --all-dead go with `okrbot inbox replay`", file=sys.stderr)
        return 2
    if args.action == "replay" and bool(args.ids) == bool(args.all_dead):
        print("okrbot: say which dead letters to replay: ids, or --all-dead", file=sys.stderr)
        return 2
    app = await build(settings)
    try:
        now = app.clock.now()
        if args.action != "replay":
            print("\n".join(await lines(app.sessions, now=now)))
            return 0
        wanted = None if args.all_dead else set(args.ids)
        replayed = await replay(app.sessions, wanted, now=now)
    finally:
        await app.close()
    print(f"Put {replayed} dead event(s) back in the inbox; a running okrbot serve handles them.")
    if wanted is not None and replayed < len(wanted):
        print("okrbot: some of those ids are no dead letters", file=sys.stderr)
        return 1
    return 0
