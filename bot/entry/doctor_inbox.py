"""`okrbot doctor`'s look at the inbox: dead letters, and events left waiting."""

from __future__ import annotations

from bot.clock import SystemClock
from bot.entry.settings import Settings
from bot.ports.platform import Checkup, Level
from storage import inbox_watch as kept
from storage.engine import create_engine, session_factory


async def check(settings: Settings, checkup: Checkup) -> None:
    """`okrbot doctor`: dead letters in the inbox, and events waiting longer than a minute."""
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            depth = await kept.depth(session, SystemClock().now())
    except Exception as error:
        checkup.add(Level.WARNING, "inbox", f"could not be read ({type(error).__name__})")
        return
    finally:
        await engine.dispose()
    dead = sum(depth.dead.values())
    oldest = max(depth.oldest_age.values(), default=0.0)
    if dead:
        checkup.add(
            Level.WARNING,
            "inbox",
            f"{dead} event(s) were given up after their tries (dead letters)",
            "`okrbot inbox` lists them with their error; once the cause is fixed, "
            "`okrbot inbox replay --all-dead`",
        )
    if oldest > 60:
        checkup.add(
            Level.WARNING,
            "inbox",
            f"an event has waited {oldest:.0f} s to be handled",
            "check that an `okrbot serve` with its inbox worker on (OKRBOT_INBOX_WORKER) runs",
        )
    if not dead and oldest <= 60:
        checkup.add(Level.OK, "inbox", "no dead letters, nothing waiting long")
