"""`okrbot doctor`: check the configuration and everything it reaches, and say how to fix it.

One line per check: ``ok``, ``warning`` (okrbot works, but look) or ``problem`` (something does
not work, with what to do). The exit status is 0 unless there is a problem. Unlike every other
command it does not migrate the database: how far the database is migrated is one of the checks.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

import migrations
from bot.entry import doctor_inbox
from bot.entry.platforms import PLATFORMS, Registered
from bot.entry.settings import Settings
from bot.ports.platform import Checkup, Level
from storage.engine import create_engine, session_factory

TIMEOUT = 10.0
# Slack refuses a request signed more than five minutes away, Bot Framework tokens allow as much.
SKEW_PROBLEM = 300.0
SKEW_WARNING = 30.0


async def run(settings: Settings, out: TextIO, platforms: Sequence[Registered] = PLATFORMS) -> int:
    """Run every check, write one line each, and return 1 if any found a problem, else 0."""
    checkup = Checkup()
    configuration(settings, checkup)
    migrated = await database(settings, checkup)
    if migrated:
        await doctor_inbox.check(settings, checkup)
    await platform_checks(settings, checkup, platforms, migrated=migrated)
    await public_url(settings, checkup)
    clock(checkup)
    for finding in checkup.findings:
        out.write(finding.line() + "\n")
    return 1 if any(f.level is Level.PROBLEM for f in checkup.findings) else 0


async def platform_checks(
    settings: Settings, checkup: Checkup, platforms: Sequence[Registered], *, migrated: bool
) -> None:
    """Each platform's own checks, in the list's order; what it stores is read once migrated."""
    engine = create_engine(settings.database_url) if migrated else None
    try:
        sessions = session_factory(engine) if engine is not None else None
        for platform in platforms:
            checkup.extend(await platform.check(settings.of(platform), sessions))
    finally:
        if engine is not None:
            await engine.dispose()


def configuration(settings: Settings, checkup: Checkup) -> None:
    """Settings that are wrong on their own, before anything is reached."""
    subject = "configuration"
    if settings.log_format not in ("text", "json"):
        checkup.add(
            Level.WARNING,
            subject,
            f"OKRBOT_LOG_FORMAT={settings.log_format} is unknown, text is written",
            "set it to json or text",
        )
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        checkup.add(
            Level.WARNING,
            subject,
            f"OKRBOT_LOG_LEVEL={settings.log_level} is no level name, INFO is used",
            "set it to DEBUG, INFO, WARNING or ERROR",
        )
    keys = len(settings.secret_keys)
    if keys > 1:
        checkup.add(
            Level.WARNING,
            subject,
            f"OKRBOT_SECRET_KEY holds {keys} keys (a rotation under way)",
            "run `okrbot rotate-key`, then keep only the first key",
        )
    if not any(f.subject == subject for f in checkup.findings):
        checkup.add(Level.OK, subject, "the settings read well")


async def database(settings: Settings, checkup: Checkup) -> bool:
    """Whether the database answers and is at the newest migration (then stored tokens are read)."""
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if _no_sqlite_file(url.get_backend_name(), url.database):
        checkup.add(
            Level.PROBLEM,
            "database",
            f"there is no database at {shown} yet",
            "run `okrbot migrate`, or set OKRBOT_DATABASE_URL to the database",
        )
        return False
    newest = set(ScriptDirectory.from_config(migrations.config()).get_heads())
    engine = create_engine(settings.database_url)
    try:
        async with asyncio.timeout(TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            current = await connection.run_sync(_revisions)
    except Exception as error:
        checkup.add(
            Level.PROBLEM,
            "database",
            f"{shown} does not answer ({type(error).__name__})",
            "check OKRBOT_DATABASE_URL, that the database "
            "server runs and that this machine may reach it",
        )
        return False
    finally:
        await engine.dispose()
    checkup.add(Level.OK, "database", f"{shown} answers")
    at, want = ", ".join(sorted(current)), ", ".join(sorted(newest))
    if current == newest:
        checkup.add(Level.OK, "migrations", f"the database is at the newest migration ({want})")
        return True
    if current and not current <= _known():
        checkup.add(
            Level.PROBLEM,
            "migrations",
            f"the database is at {at}, which this okrbot does not know (its newest is {want})",
            "run the okrbot version that migrated it, or a newer one",
        )
        return False
    checkup.add(
        Level.PROBLEM,
        "migrations",
        f"the database is at migration {at}, the newest is {want}"
        if current
        else f"the database has no okrbot tables yet (the newest migration is {want})",
        "run `okrbot migrate` (okrbot serve migrates on start, too)",
    )
    return False


def _no_sqlite_file(backend: str, database: str | None) -> bool:
    """A SQLite URL whose file is not there: connecting would create an empty database."""
    return (
        backend == "sqlite"
        and bool(database)
        and database != ":memory:"
        and not (Path(str(database)).is_file())
    )


def _revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def _known() -> set[str]:
    return {r.revision for r in ScriptDirectory.from_config(migrations.config()).walk_revisions()}


async def public_url(settings: Settings, checkup: Checkup) -> None:
    """OKRBOT_PUBLIC_URL: an https address where okrbot serve answers /healthz."""
    subject = "public URL"
    address = settings.public_url
    if not address:
        checkup.add(
            Level.WARNING,
            subject,
            "OKRBOT_PUBLIC_URL is not set, so reports and the Teams app package have no links",
            "set it to the https address users reach okrbot serve at",
        )
        return
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        checkup.add(
            Level.PROBLEM,
            subject,
            f"{address} is not a web address",
            "set OKRBOT_PUBLIC_URL to one such as https://okrbot.example.com",
        )
        return
    if not settings.secret_keys:
        checkup.add(
            Level.WARNING,
            subject,
            "report links are signed with OKRBOT_SECRET_KEY, which is not set: "
            "leads get no report link when a retrospective closes",
            "set OKRBOT_SECRET_KEY (see README, Configuration)",
        )
    if parts.scheme != "https":
        level = Level.WARNING if _loopback(parts.hostname) else Level.PROBLEM
        checkup.add(
            level,
            subject,
            f"{address} is not https",
            "Slack and Teams reach only "
            "https addresses: put okrbot behind TLS and use its https address",
        )
    healthz = address.rstrip("/") + "/healthz"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            answer = await client.get(healthz)
    except httpx.HTTPError as error:
        checkup.add(
            Level.PROBLEM,
            subject,
            f"{healthz} cannot be reached ({type(error).__name__})",
            "check its DNS name, TLS certificate and the "
            "proxy or load balancer in front of okrbot serve",
        )
        return
    checkup.answered(subject, answer.headers.get("date"))
    if answer.status_code != 200:
        checkup.add(
            Level.PROBLEM,
            subject,
            f"{healthz} answers {answer.status_code}",
            "route the address to okrbot serve",
        )
        return
    checkup.add(Level.OK, subject, f"{healthz} answers")


def clock(checkup: Checkup) -> None:
    """Compare this machine's clock with the Date of an answer another machine gave."""
    if not checkup.dates:
        checkup.add(
            Level.WARNING,
            "clock",
            "nothing answered with a date to compare this "
            "machine's clock with, so it was not checked",
            "keep the clock synchronised (NTP): Slack refuses requests signed five minutes away",
        )
        return
    source, theirs, ours = checkup.dates[0]
    skew = abs((ours - theirs).total_seconds())
    says = f"this machine's clock is {skew:.0f} s away from {source}'s"
    if skew > SKEW_PROBLEM:
        checkup.add(
            Level.PROBLEM,
            "clock",
            says,
            "synchronise the clock (NTP): Slack refuses "
            "requests signed five minutes away, and tokens expire early or late",
        )
    elif skew > SKEW_WARNING:
        checkup.add(Level.WARNING, "clock", says, "synchronise the clock (NTP)")
    else:
        checkup.add(Level.OK, "clock", says)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
