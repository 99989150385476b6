"""The servers bench.http_ingest compares, each in its own process, and what it sends them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import tempfile
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
BOT_USER = "UBOT0001"
USERS = 40
STORY = (
    "<@UBOT0001> story learning hypothesis: {tag} a shorter address form lifts completion "
    "| learned: it did not; buyers wanted trust signals, not fewer fields "
    "| result: invalidated | next: test trust badges"
)


def signed_headers(body: bytes, stamp: str) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
    }


def story_request(port: int, tag: str, stamp: str) -> bytes:
    """A complete HTTP request: a signed app_mention telling a learning story tagged ``tag``."""
    user = f"U{zlib.crc32(tag.encode()) % USERS:04d}"
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A0001",
            "event": {
                "type": "app_mention",
                "user": user,
                "text": STORY.format(tag=tag),
                "ts": f"{stamp}.000100",
                "channel": "C1",
                "event_ts": f"{stamp}.000100",
            },
            "type": "event_callback",
            "event_id": f"Ev{tag}",
            "event_time": int(stamp),
            "authorizations": [
                {
                    "team_id": "T1",
                    "user_id": BOT_USER,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
    ).encode()
    head = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        *(f"{name}: {value}" for name, value in signed_headers(body, stamp).items()),
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def rss(pid: int) -> int:
    """A process's resident set size now (Linux /proc), in bytes; 0 once it is gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far (Linux /proc); 0 once gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # the fields after the command's name, which is in parentheses and may hold spaces
        fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    pid: int
    started: float  # seconds from the process's start to its first good answer
    idle_rss: int
    database: str | None = None  # where okrbot stores the stories; None for the bare app
    cpu: float = 0.0  # CPU seconds the process used until its first good answer
    worker: int | None = None  # the pid of the `okrbot work` beside it (split), if any

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _ready(url: str, session: aiohttp.ClientSession, *, method: str = "GET") -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        with contextlib.suppress(aiohttp.ClientError):
            async with session.request(method, url) as answer:
                if answer.status in (200, 401):  # the bare app refuses an unsigned probe: up
                    return
        await asyncio.sleep(0.01)
    raise SystemExit(f"{url} did not come up")


@contextlib.asynccontextmanager
async def _process(
    name: str,
    arguments: list[str],
    environment: dict[str, str],
    probe: tuple[str, str],
    session: aiohttp.ClientSession,
    port: int,
    database: str | None = None,
) -> AsyncIterator[Server]:
    directory = Path(tempfile.mkdtemp(prefix="okrbot-serve-"))
    log = open(directory / "stderr.log", "wb")  # noqa: SIM115, ASYNC230 - closed below
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *arguments,
        env={**os.environ, "PYTHONPATH": str(ROOT), **environment},
        cwd=directory,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )
    try:
        await _ready(f"http://127.0.0.1:{port}{probe[1]}", session, method=probe[0])
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid)
        await asyncio.sleep(1)  # settle before the idle figure
        yield Server(name, port, process.pid, elapsed, rss(process.pid), database, cpu)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
        log.close()
        errors = (directory / "stderr.log").read_text(errors="replace")
        if "Traceback" in errors or "database is locked" in errors:
            print(f"{name} logged errors:\n{errors[-3000:]}", file=sys.stderr)


def okrbot(
    url: str,
    name: str,
    api_url: str,
    session: aiohttp.ClientSession,
    root: Path = ROOT,
    *command: str,
    **extra: str,
) -> contextlib.AbstractAsyncContextManager[Server]:
    """`okrbot serve` (or ``command``, e.g. ``work``) of the checkout at ``root``, Slack only,
    one bot token, on ``url``; ``extra`` variables added to its environment."""
    port = free_port()
    environment = {
        "PYTHONPATH": str(root),
        "OKRBOT_DATABASE_URL": url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": api_url,
    } | extra
    arguments = ["-m", "bot", *(command or ["serve"]), "--host", "127.0.0.1", "--port", str(port)]
    return _process(
        f"okrbot, {name}", arguments, environment, ("GET", "/readyz"), session, port, url
    )


@contextlib.asynccontextmanager
async def split_okrbot(
    url: str, name: str, api_url: str, session: aiohttp.ClientSession, root: Path = ROOT
) -> AsyncIterator[Server]:
    """`okrbot serve` that only acks (its worker off, no scheduler) and one `okrbot work`
    beside it on the same database, which handles what serve kept, delivers and schedules."""
    async with (
        okrbot(url, f"{name} work", api_url, session, root, "work") as worker,
        okrbot(
            url, name, api_url, session, root, "serve", "--no-scheduler", OKRBOT_INBOX_WORKER="off"
        ) as edge,
    ):
        yield replace(edge, worker=worker.pid)


def bare_bolt(
    api_url: str, session: aiohttp.ClientSession
) -> contextlib.AbstractAsyncContextManager[Server]:
    port = free_port()
    environment = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": api_url,
    }
    arguments = ["-m", "bench.bare_bolt", str(port)]
    return _process("bare Bolt", arguments, environment, ("POST", "/slack/events"), session, port)


@contextlib.asynccontextmanager
async def fake_slack() -> AsyncIterator[str]:
    """A Slack Web API that says yes to everything, on a free port."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(
            {
                "ok": True,
                "ts": "1700000000.000100",
                "channel": "C1",
                "team_id": "T1",
                "user_id": "UBOT0001",
                "bot_id": "B1",
                "user": {"id": "U1", "tz": "Europe/Berlin", "is_bot": False, "deleted": False},
            }
        )

    app = web.Application()
    app.router.add_route("*", "/api/{method}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/api/"
    finally:
        await runner.cleanup()
