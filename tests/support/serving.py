"""`okrbot serve` (or `okrbot work`) as a real process on a free port of 127.0.0.1, as an
operator runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_up(base: str, session: aiohttp.ClientSession) -> None:
    for _ in range(200):
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("okrbot serve did not come up")


@dataclass
class ServeProcess:
    """One `okrbot serve` process, with ``environment`` added to this process's own."""

    environment: Mapping[str, str]
    directory: Path  # its working directory
    options: Sequence[str] = ()  # given to `okrbot serve` before its address, e.g. "-vv"
    unset: Sequence[str] = ()  # variables of this process's environment it must not inherit
    port: int = field(default_factory=free_port)
    command: str = "serve"  # or "work"
    process: asyncio.subprocess.Process | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def spawn(self, stderr: int = asyncio.subprocess.PIPE) -> None:
        """Start the process; its stderr goes to ``stderr`` (a pipe, a file, or nowhere)."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", self.command, *self.options),
            *("--host", "127.0.0.1", "--port", str(self.port)),
            env={
                **{k: v for k, v in os.environ.items() if k not in self.unset},
                **self.environment,
            },
            cwd=self.directory,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )

    async def start(
        self, session: aiohttp.ClientSession, stderr: int = asyncio.subprocess.PIPE
    ) -> None:
        """Start the process and wait until it answers /healthz."""
        await self.spawn(stderr)
        await wait_until_up(self.base, session)

    async def kill(self) -> None:
        """Kill it with SIGKILL, as a crash would, and wait for it to be gone."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self, within: float = 20, *, a_hang_fails: bool = True) -> str:
        """Stop it with SIGTERM and return what it logged; one that takes over ``within``
        seconds is killed and, if ``a_hang_fails``, fails the test."""
        if self.process is None:
            return ""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _out, err = await asyncio.wait_for(self.process.communicate(), within)
        except TimeoutError:
            self.process.kill()
            _out, err = await self.process.communicate()
            if a_hang_fails:
                hung = f"okrbot {self.command} did not stop within {within} s"
                raise AssertionError(hung) from None
        return (err or b"").decode(errors="replace")
