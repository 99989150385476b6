"""`okrbot run-due --now`: each team's retrospective on its own clock, and nothing twice."""

import asyncio

from sqlalchemy import func, select

from storage.engine import create_engine
from storage.outbox import OutboxMessage, OutboxStatus

TEAMS = [
    ("Tokyo", "CT", "UT", "Asia/Tokyo", "2027-03-22T01:00Z", "2027-03-29T08:00Z"),
    ("Berlin", "CB", "UB", "Europe/Berlin", "2027-03-22T09:00Z", "2027-03-29T15:00Z"),
    ("NewYork", "CN", "UN", "America/New_York", "2027-03-22T14:00Z", "2027-03-29T21:00Z"),
]


def outbox_rows(url):
    async def count():
        engine = create_engine(url)
        async with engine.connect() as connection:
            total = await connection.scalar(select(func.count()).select_from(OutboxMessage))
            sent = await connection.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENT)
            )
        await engine.dispose()
        return total, sent

    return asyncio.run(count())


def deliveries(out):
    """Where each message went, from lines like ``okrbot → #C1: text``; digests left out."""
    return [
        line.split(":", 1)[0] + ":"
        for line in out.splitlines()
        if line.startswith("okrbot → ") and "weekly learning digest" not in line
    ]


def test_three_teams_in_three_timezones_once_each(shell, database_url):
    for name, channel, lead, zone, _, _ in TEAMS:
        shell.chat(
            f"/okr team create {name} tz={zone}",
            "/retro schedule quarterly",
            "!user U9",
            "/okr help",  # a second member, seen in the channel
            channel=channel,
            user=lead,
        )
    code, out = shell.run("run-due", "--now", "2027-03-21T00:00Z")
    assert code == 0

    for _name, channel, lead, _, opens, _ in TEAMS:
        code, out = shell.run("run-due", "--now", opens)
        assert code == 0
        sent = deliveries(out)
        assert f"okrbot → #{channel}:" in sent
        assert sorted(line for line in sent if "(direct)" in line) == sorted(
            [f"okrbot → @{lead} (direct):", "okrbot → @U9 (direct):"]
        )
        assert set(sent) <= {
            f"okrbot → #{channel}:",
            f"okrbot → @{lead} (direct):",
            "okrbot → @U9 (direct):",
        }
        before = outbox_rows(database_url)
        code, again = shell.run("run-due", "--now", opens)
        assert (code, deliveries(again)) == (0, [])
        assert outbox_rows(database_url) == before

    for name, channel, _, _, _, closes in TEAMS:
        code, out = shell.run("run-due", "--now", closes)
        summary = [line for line in deliveries(out) if line == f"okrbot → #{channel}:"]
        assert len(summary) == 1, out
        assert f"{name}'s Q1 2027 retrospective has closed" in out
        code, again = shell.run("run-due", "--now", closes)
        assert deliveries(again) == []

    total, sent = outbox_rows(database_url)
    assert total == sent


def test_run_due_refuses_a_time_it_cannot_read(shell, capsys):
    try:
        shell.run("run-due", "--now", "next tuesday")
    except SystemExit as stop:
        assert stop.code == 2
    assert "not an ISO-8601 time" in capsys.readouterr().err
