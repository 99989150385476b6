"""Each team gets the questions its workspace had reworded, and a downgrade takes them back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from tests.migrations.test_migrations import script
from tests.support.times import START

LATER = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def below_team_questions() -> str:
    """The revision just before questions became per team."""
    [revision] = [
        r
        for r in script().walk_revisions()
        if r.path.endswith("_retro_questions_belong_to_a_team.py")
    ]
    assert isinstance(revision.down_revision, str)
    return revision.down_revision


async def rows(engine: AsyncEngine, columns: str) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        result = await connection.execute(
            text(f"SELECT {columns} FROM retro_question ORDER BY {columns}")
        )
        return [tuple(row) for row in result]


async def test_each_team_keeps_the_wording_its_workspace_had(blank_engine: AsyncEngine) -> None:
    below = below_team_questions()
    await migrations.upgrade(blank_engine, below)
    async with blank_engine.begin() as connection:
        for workspace, external in ((1, "W1"), (2, "W2")):
            await connection.execute(
                text(
                    "INSERT INTO workspace (id, platform, external_id, created_at) "
                    "VALUES (:id, 'console', :external, :now)"
                ),
                {"id": workspace, "external": external, "now": START},
            )
        for team, workspace, name in ((1, 1, "Checkout"), (2, 1, "Search"), (3, 2, "Billing")):
            await connection.execute(
                text(
                    "INSERT INTO team (id, workspace_id, name, name_key, channel_id, timezone, "
                    "created_at) VALUES (:id, :workspace, :name, :key, :channel, 'UTC', :now)"
                ),
                {
                    "id": team,
                    "workspace": workspace,
                    "name": name,
                    "key": name.lower(),
                    "channel": f"C{team}",
                    "now": START,
                },
            )
        await connection.execute(
            text(
                "INSERT INTO retro_question (workspace_id, key, text, updated_by, updated_at) "
                "VALUES (1, 'bet', 'What did we gamble on?', 'U1', :now)"
            ),
            {"now": START},
        )

    await migrations.upgrade(blank_engine)
    assert await rows(blank_engine, "team_id, key, text") == [
        (1, "bet", "What did we gamble on?"),
        (2, "bet", "What did we gamble on?"),
    ]  # Billing, in another workspace, keeps the default

    async with blank_engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE retro_question SET text = 'What did Search bet on?', updated_at = :later "
                "WHERE team_id = 2"
            ),
            {"later": LATER},
        )
    await migrations.downgrade(blank_engine, below)
    assert await rows(blank_engine, "workspace_id, key, text") == [
        (1, "bet", "What did Search bet on?")
    ]
