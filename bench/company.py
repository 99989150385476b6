"""A company's year, written fast: one workspace, a thousand teams, 200,000 stories.

--teams teams (two leads each: one of their own and one shared with the neighbouring team),
--stories learning stories spread evenly over the last year, and a tenth as many impact
stories, adaptations and shout-outs, a hundredth as many metric concerns; for bench.digest_company.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.console import CONSOLE
from storage.core import Team, TeamLead, Workspace
from storage.okr import ImpactStory, LearningStory, MetricConcern, StoryResult, StorySource
from storage.recognition import Behaviour, ShoutOut, ShoutOutRecipient, ShoutOutStatus
from storage.retro import Adaptation
from tests.support.bulk import insert_rows
from tests.support.harness import Harness

YEAR = timedelta(days=365)


LEARNING_SERIES = text(
    """
    INSERT INTO learning_story (workspace_id, team_id, author_id, text, hypothesis, learned,
        result, adaptation, source, awaiting_outcome, created_at)
    SELECT :workspace, :first + i % :teams, 'U' || lpad((i % 5000)::text, 5, '0'),
        'we tried a shorter checkout form (' || i || ')',
        'fewer fields lift completion (' || i || ')',
        'buyers wanted trust signals, not fewer fields (' || i || ')',
        (CASE WHEN i % 3 = 0 THEN 'validated' ELSE 'invalidated' END)::story_result,
        CASE WHEN i % 10 = 0 THEN 'test trust badges' END,
        'command'::story_source, false,
        CAST(:newest AS timestamptz)
            - make_interval(secs => CAST(:year AS double precision) * i / :count)
    FROM generate_series(0, :count - 1) AS i
    """
)
"""The learning stories in one statement on PostgreSQL, as ``spread`` places them."""


def spread(count: int, now: datetime) -> Iterator[tuple[int, datetime]]:
    """``count`` moments evenly over the year before ``now``, newest first."""
    for i in range(count):
        yield i, now - timedelta(minutes=1) - YEAR * i / count


async def workspace_and_teams(
    connection: AsyncConnection,
    *,
    platform: str,
    external_id: str,
    now: datetime,
    teams: int,
    founder: Callable[[int], str],
    since: datetime,
    **more: Any,
) -> tuple[int, list[int]]:
    """A workspace and its ``teams`` teams ("Team 0", … in channels C00000, …), team i made
    by ``founder(i)`` at ``since`` with ``more`` columns; their ids."""
    [workspace] = await insert_rows(
        connection,
        Workspace,
        iter([{"platform": platform, "external_id": external_id, "created_at": now}]),
    )
    team_ids = await insert_rows(
        connection,
        Team,
        (
            {
                "workspace_id": workspace,
                "name": f"Team {i}",
                "name_key": f"team {i}",
                "channel_id": f"C{i:05d}",
                "timezone": "Europe/Berlin",
                "created_by": founder(i),
                "created_at": since,
                **more,
            }
            for i in range(teams)
        ),
    )
    return workspace, team_ids


async def populate(bot: Harness, teams: int, stories: int) -> int:
    """The workspace; return its id. Rows are written a chunk per executemany."""
    now = bot.clock.now()
    long_ago = now - YEAR - timedelta(days=30)
    async with bot.app.engine.begin() as connection:
        workspace, team_ids = await workspace_and_teams(
            connection,
            platform=CONSOLE,
            external_id="W1",
            now=now,
            teams=teams,
            founder=lambda i: f"L{i:05d}",
            since=long_ago,
        )
        leads = (
            {"team_id": team, "user_id": who, "added_at": long_ago, "timezone": "Europe/Berlin"}
            for i, team in enumerate(team_ids)
            for who in (f"L{i:05d}", f"S{i // 2:05d}")
        )
        await insert_rows(connection, TeamLead, leads, returning=False)

        def team(i: int) -> int:
            return team_ids[i % teams]

        if connection.dialect.name == "postgresql":
            assert team_ids == list(range(team_ids[0], team_ids[0] + teams))
            await connection.execute(
                LEARNING_SERIES,
                {
                    "workspace": workspace,
                    "first": team_ids[0],
                    "teams": teams,
                    "count": stories,
                    "newest": now - timedelta(minutes=1),
                    "year": YEAR.total_seconds(),
                },
            )
        learning = (
            {
                "workspace_id": workspace,
                "team_id": team(i),
                "author_id": f"U{i % 5000:05d}",
                "text": f"we tried a shorter checkout form ({i})",
                "hypothesis": f"fewer fields lift completion ({i})",
                "learned": f"buyers wanted trust signals, not fewer fields ({i})",
                "result": StoryResult.INVALIDATED if i % 3 else StoryResult.VALIDATED,
                "adaptation": "test trust badges" if i % 10 == 0 else None,
                "source": StorySource.COMMAND,
                "awaiting_outcome": False,
                "created_at": at,
            }
            for i, at in spread(stories, now)
        )
        if connection.dialect.name != "postgresql":
            await insert_rows(connection, LearningStory, learning, returning=False)
        tenth = stories // 10
        impact = (
            {
                "workspace_id": workspace,
                "team_id": team(i * 7),
                "author_id": f"U{i % 5000:05d}",
                "text": f"buyers finish checkout on their phones ({i})",
                "who": "returning buyers",
                "source": StorySource.COMMAND,
                "created_at": at,
            }
            for i, at in spread(tenth, now)
        )
        await insert_rows(connection, ImpactStory, impact, returning=False)
        adaptations = (
            {
                "workspace_id": workspace,
                "team_id": team(i * 3),
                "text": f"pair on every checkout change ({i})",
                "created_at": at,
                "follow_up": None if i % 10 == 0 else "we did, and reviews got shorter",
                "followed_up_at": None if i % 10 == 0 else at + timedelta(days=14),
            }
            for i, at in spread(tenth, now)
        )
        await insert_rows(connection, Adaptation, adaptations, returning=False)
        shout_ids = await insert_rows(
            connection,
            ShoutOut,
            (
                {
                    "workspace_id": workspace,
                    "giver_id": f"U{i % 5000:05d}",
                    "giver_team_id": team(i),
                    "behaviour": list(Behaviour)[i % len(Behaviour)],
                    "text": f"for pairing with us on the refund flow ({i})",
                    "private": i % 5 == 0,
                    "status": ShoutOutStatus.POSTED,
                    "created_at": at,
                    "posted_at": at,
                }
                for i, at in spread(tenth, now)
            ),
        )
        recipients = (
            {"shout_out_id": shout, "team_id": team(i * 7 + 1)} for i, shout in enumerate(shout_ids)
        )
        await insert_rows(connection, ShoutOutRecipient, recipients, returning=False)
        concerns = (
            {
                "workspace_id": workspace,
                "team_id": team(i),
                "author_id": f"U{i % 5000:05d}",
                "metric": "tickets closed per week",
                "harm": "we close tickets without solving them",
                "reference": i // teams + 1,
                "created_at": at,
            }
            for i, at in spread(stories // 100, now)
        )
        await insert_rows(connection, MetricConcern, concerns, returning=False)
    if bot.app.engine.dialect.name == "postgresql":
        async with bot.app.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
    return workspace
