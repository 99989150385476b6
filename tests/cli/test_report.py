"""The quarterly learning report: one self-contained page, its signed links, `okrbot report`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.admin import report_links, reporting, reports
from retrospectives.learning.commands import Quarter
from storage.outbox import OutboxMessage
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness

KEY = "report-test-key"
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


async def play_a_quarter(bot: Harness) -> None:
    """A team's quarter, told through chat: stories, a concern, a retrospective, an adaptation."""
    await bot.say("/okr team create Checkout tz=Europe/Berlin")
    await bot.say("/okr kr add Refund contacts halve")
    await bot.say(
        "/story learning hypothesis: a clearer refund page cuts contacts | tried: new page, "
        "2 weeks | evidence: contacts flat | learned: people call about timing <b>not</b> wording"
        " | result: invalidated | kr: KR1",
        user="U2",
    )
    await bot.say("/story learning hypothesis: reminders help | result: validated")
    await bot.say(
        "/story impact who: shop owners | before: phoned us | after: answer refunds themselves"
        " | evidence: tickets down 30%",
        user="U3",
    )
    await bot.say("/okr concern Handle time: people rush calls to stay under five minutes")
    await bot.say("/retro start")
    await bot.tick()
    for _ in range(3):
        await bot.say("skip", user="U2", channel="DU2", direct=True)
    await bot.say("Show refund timing on the page", user="U2", channel="DU2", direct=True)
    await bot.say("/retro close")


@pytest.fixture
async def quarter(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": ["U1", "U2"]}))
    await play_a_quarter(bot)
    yield bot
    await bot.close()


async def test_the_page_shows_the_quarter_and_asks_for_nothing(quarter):
    async with quarter.app.sessions() as session:
        team = await reporting.team_named(session, workspace="W1", name="checkout")
        page = await reporting.page(session, team=team, quarter=None, now=quarter.clock.now())
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page and 'name="viewport"' in page
    assert "Checkout: what we learned in 2027Q1" in page
    assert page.count('<svg id="chart-') == 3
    assert page.count('role="img"') == 3 and page.count("<desc ") == 3
    for heading in ("At a glance", "Over the quarters", "best stories", "Adaptations and their"):
        assert heading in page
    assert "people call about timing &lt;b&gt;not&lt;/b&gt; wording" in page
    assert "tickets down 30%" in page
    assert "open</span>: Show refund timing on the page" in page
    assert "Handle time" in page
    assert "invalidated (learning)" in page
    # Nothing outside the page: no source, link or import; and nobody named.
    assert not re.search(r"\b(src|href)=|url\(|@import", page)
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * 3
    for person in ("U1", "U2", "U3"):
        assert person not in page


async def test_an_empty_quarter_still_makes_a_page(quarter):
    async with quarter.app.sessions() as session:
        team = await reporting.team_named(session, workspace="W1", name="Checkout")
        page = await reporting.page(
            session, team=team, quarter=Quarter(2026, 2), now=quarter.clock.now()
        )
    assert "No stories were told this quarter." in page
    assert page.count('<svg id="chart-') == 3
    with pytest.raises(reporting.NoSuchTeam):
        async with quarter.app.sessions() as session:
            await reporting.team_named(session, workspace="W2", name="Checkout")


def test_a_link_is_signed_expires_and_survives_key_rotation():
    url = reports.link(
        "https://okr.example.org/", [KEY], team_id=7, quarter=Quarter(2027, 1), now=NOW
    )
    assert url is not None and url.startswith("https://okr.example.org/report/7/2027Q1?expires=")
    expires = re.search(r"expires=(\d+)", url)[1]
    given = re.search(r"signature=(\w+)", url)[1]

    def check(keys, *, team_id=7, quarter="2027Q1", when=NOW, signed=given):
        return reports.verified(
            keys, team_id=team_id, quarter=quarter, expires=expires, given=signed, now=when
        )

    assert check([KEY]) == Quarter(2027, 1)
    assert check(["newer-key", KEY]) == Quarter(2027, 1)
    assert check(["another-key"]) is None
    assert check([KEY], team_id=8) is None
    assert check([KEY], quarter="2027Q2") is None
    assert check([KEY], signed="0" * 64) is None
    assert check([KEY], when=NOW + reports.LINK_LIFETIME + timedelta(seconds=1)) is None
    assert reports.link("", [KEY], team_id=7, quarter=Quarter(2027, 1), now=NOW) is None
    assert reports.link("https://x", [], team_id=7, quarter=Quarter(2027, 1), now=NOW) is None


async def test_the_leads_get_the_link_when_a_retrospective_closes(quarter):
    for _ in range(2):  # every tick looks again; the message is written once
        await report_links.send_links(
            quarter.app.sessions,
            public_url="https://okr.example.org",
            keys=[KEY],
            now=quarter.clock.now(),
        )
    async with quarter.app.sessions() as session:
        keys = (
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.like("report:%")
                )
            )
        ).all()
    assert keys == ["report:1:U1"]
    quarter.port.sent.clear()
    await quarter.deliver()
    [sent] = quarter.port.to("@U1")
    assert "https://okr.example.org/report/1/2027Q1?expires=" in sent.reply.text
    quarter.clock.advance(timedelta(days=2))
    quarter.port.sent.clear()
    await report_links.send_links(
        quarter.app.sessions,
        public_url="https://okr.example.org",
        keys=[KEY],
        now=quarter.clock.now(),
    )
    await quarter.deliver()
    assert quarter.port.to("@U1") == []


def test_okrbot_report_writes_the_page(shell, tmp_path):
    shell.chat(
        "/okr team create Checkout",
        "/story learning hypothesis: guests buy more | learned: they do | result: validated",
    )
    target = tmp_path / "report.html"
    code, out = shell.run(
        "report", "--workspace", "W1", "--team", "Checkout", "--output", str(target)
    )
    assert code == 0, out
    page = target.read_text(encoding="utf-8")
    assert "guests buy more" in page and page.count('<svg id="chart-') == 3
    code, out = shell.run("report", "--workspace", "W1", "--team", "Nope")
    assert code == 1 and out == ""  # the reason goes to standard error
    code, out = shell.run("report", "--workspace", "W1", "--team", "Checkout", "--quarter", "27Q1")
    assert code == 2 and out == ""
    code, out = shell.run("report", "--workspace", "W1", "--team", "Checkout")
    assert code == 0 and out.startswith("<!DOCTYPE html>")


async def test_the_page_shows_each_concern_with_the_answer_of_the_leads(quarter):
    raised = await quarter.say("/okr concern Calls per hour: people hang up early", user="U2")
    [code] = re.findall(r"\bC\d+\b", raised)[:1]
    await quarter.say(f"/okr concern answer {code} replaced: we count problems solved")
    async with quarter.app.sessions() as session:
        team = await reporting.team_named(session, workspace="W1", name="checkout")
        page = await reporting.page(session, team=team, quarter=None, now=quarter.clock.now())
    assert "The team replaced it: we count problems solved" in page
    assert "Not answered yet." in page  # the quarter's first concern, which nobody answered
