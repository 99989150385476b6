"""Channel announcements already sent keep co-signing their shout-out after the upgrade."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from tests.migrations.test_migrations import script

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def below_announcements() -> str:
    [revision] = [
        r for r in script().walk_revisions() if r.path.endswith("_shout_out_announcements.py")
    ]
    assert isinstance(revision.down_revision, str)
    return revision.down_revision


async def insert(engine: AsyncEngine, table: str, **values: object) -> None:
    columns = ", ".join(values)
    places = ", ".join(f":{name}" for name in values)
    async with engine.begin() as connection:
        await connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({places})"), values)


async def test_channel_announcements_are_carried_over_and_lead_ones_are_not(
    blank_engine: AsyncEngine,
) -> None:
    await migrations.upgrade(blank_engine, below_announcements())
    await insert(
        blank_engine, "workspace", id=1, platform="console", external_id="W1", created_at=NOW
    )
    for team in (3, 4):
        await insert(
            blank_engine,
            "team",
            id=team,
            workspace_id=1,
            name=f"T{team}",
            name_key=f"t{team}",
            channel_id=f"C{team}",
            timezone="UTC",
            created_at=NOW,
        )
    for shout_out in (7, 17):
        await insert(
            blank_engine,
            "shout_out",
            id=shout_out,
            workspace_id=1,
            giver_id="U1",
            behaviour="learning",
            text="paired with us",
            private=False,
            status="posted",
            created_at=NOW,
            posted_at=NOW,
        )
        await insert(blank_engine, "shout_out_recipient", shout_out_id=shout_out, team_id=3)
    keys = ["shoutout:7:team:3", "shoutout:17:team:3", "shoutout:7:team:3:lead:U9", "retro:1"]
    for number, key in enumerate(keys):
        await insert(
            blank_engine,
            "outbox_message",
            id=number + 1,
            workspace_id=1,
            idempotency_key=key,
            audience="channel",
            target_id="C3",
            payload="{}",
            status="sent",
            attempts=0,
            available_at=NOW,
            created_at=NOW,
        )

    await migrations.upgrade(blank_engine)

    async with blank_engine.connect() as connection:
        carried = await connection.execute(
            text("SELECT outbox_key, shout_out_id FROM shout_out_announcement ORDER BY 2")
        )
        assert [tuple(row) for row in carried] == [
            ("shoutout:7:team:3", 7),
            ("shoutout:17:team:3", 17),
        ]
