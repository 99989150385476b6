"""The report page in a real browser: Debian's chromium loads it from a spawned `okrbot serve`.

Driven over the DevTools protocol (aiohttp's websocket client, nothing else to install): no
request leaves the page, nothing is written to the console, the charts and sections are there,
it fits a phone's width, and a screenshot is kept in the test's temporary directory.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import sys
from asyncio.subprocess import DEVNULL, PIPE
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.admin import reports
from retrospectives.learning.service import quarter_of
from tests.support.serving import ServeProcess, free_port

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="Debian's chromium is not installed (apt-get install -y chromium)",
)
KEY = "browser-test-key"
QUARTER = [
    "/okr team create Checkout",
    "/okr kr add Refund contacts halve",
    "/story learning hypothesis: a clearer refund page cuts contacts | evidence: contacts flat"
    " | learned: people call about timing | result: invalidated | kr: KR1",
    "/story learning hypothesis: reminders bring buyers back | result: validated",
    "/story learning hypothesis: a chat widget helps | result: inconclusive",
    "/story impact who: shop owners | before: phoned us | after: answer refunds themselves"
    " | evidence: tickets down 30%",
    "/story impact who: buyers | after: they come back",
    "/okr concern Handle time: people rush calls <script>alert(1)</script>",
]


class DevTools:
    """One page of a headless chromium, spoken to over its DevTools websocket."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        await self.socket.send_json({"id": number, "method": method, "params": params})
        while True:
            message = json.loads((await self.socket.receive(timeout=30)).data)
            if message.get("id") == number:
                assert "error" not in message, message
                return message.get("result", {})
            self.events.append(message)

    async def until(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads((await self.socket.receive(timeout=30)).data))

    async def value(self, expression: str) -> Any:
        found = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return found["result"]["value"]


async def page_socket(port: int, session: aiohttp.ClientSession) -> str:
    for _ in range(100):
        try:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                pages = [t for t in await answer.json() if t["type"] == "page"]
                if pages:
                    return str(pages[0]["webSocketDebuggerUrl"])
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("chromium did not open its DevTools port")


async def test_chromium_renders_the_report_with_its_charts_and_asks_for_nothing(
    tmp_path: Path,
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path}/okrbot.db"
    env = {**os.environ, "OKRBOT_DATABASE_URL": database}
    typed = "".join(f"{line}\n" for line in QUARTER)
    chat = [sys.executable, "-m", "bot", "chat", "--workspace", "W1", "--channel", "C1"]
    seeding = await asyncio.create_subprocess_exec(
        *chat, env=env, cwd=tmp_path, stdin=PIPE, stdout=DEVNULL, stderr=DEVNULL
    )
    await asyncio.wait_for(seeding.communicate(typed.encode()), timeout=120)
    assert seeding.returncode == 0

    port, devtools_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    serving = {"OKRBOT_DATABASE_URL": database, "OKRBOT_PUBLIC_URL": base, "OKRBOT_SECRET_KEY": KEY}
    server = ServeProcess(serving, tmp_path, options=["--no-scheduler"], port=port)
    browser = None
    now = datetime.now(UTC)
    url = reports.link(base, [KEY], team_id=1, quarter=quarter_of(now, "UTC"), now=now)
    assert url is not None
    try:
        async with aiohttp.ClientSession() as http:
            await server.start(http, stderr=asyncio.subprocess.DEVNULL)
            async with http.get(url) as answer:
                assert answer.status == 200
                assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
            async with http.get(re.sub(r"signature=\w+", "signature=00", url)) as refused:
                assert refused.status == 403

            browser = await asyncio.create_subprocess_exec(
                str(BROWSER),
                *("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"),
                *(f"--remote-debugging-port={devtools_port}", f"--user-data-dir={tmp_path}/b"),
                *("--disable-background-networking", "--disable-component-update"),
                *("--disable-quic", "--disable-sync"),
                "about:blank",
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            async with http.ws_connect(await page_socket(devtools_port, http)) as socket:
                page = DevTools(socket)
                for domain in ("Network", "Runtime", "Log", "Page"):
                    await page.call(f"{domain}.enable")
                await page.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=390,
                    height=844,
                    deviceScaleFactor=1,
                    mobile=True,
                )
                await page.call("Page.navigate", url=url)
                await page.until("Page.loadEventFired")

                charts = await page.value("document.querySelectorAll('svg.chart').length")
                bars = await page.value("document.querySelectorAll('svg.chart rect').length")
                headings = await page.value(
                    "Array.from(document.querySelectorAll('h2')).map(h => h.textContent)"
                )
                fits = await page.value("document.documentElement.scrollWidth <= window.innerWidth")
                alert = await page.value("document.body.innerHTML.includes('<script>alert')")
                shot = await page.call(
                    "Page.captureScreenshot", format="png", captureBeyondViewport=True
                )

        screenshot = tmp_path / "report.png"
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000

        requested = [
            e["params"]["request"]["url"]
            for e in page.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        assert requested == [url]  # the page itself, and nothing it asked for
        complaints = [
            e
            for e in page.events
            if e.get("method") in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled")
            or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
        ]
        assert complaints == []
        assert charts == 3 and bars >= 12
        assert headings == [
            "At a glance",
            "Over the quarters",
            "The quarter's best stories",
            "Adaptations and their fate",
            "Metric concerns",
        ]
        assert fits, "the page is wider than a phone"
        assert alert is False
    finally:
        if browser is not None and browser.returncode is None:
            browser.terminate()
            await browser.wait()
        await server.stop()
