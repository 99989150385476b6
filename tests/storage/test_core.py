"""Workspaces, teams and timestamps: the wall around each tenant's data."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import core
from storage.core import Team, Workspace
from tests.support.times import START


async def workspace(session: AsyncSession, external_id: str) -> Workspace:
    return await core.get_or_create_workspace(
        session, platform="slack", external_id=external_id, now=START
    )


def add_team(session: AsyncSession, workspace_id: int, name: str, channel: str) -> Team:
    return core.add_team(
        session,
        workspace_id=workspace_id,
        name=name,
        channel_id=channel,
        timezone="Europe/Berlin",
        created_by="U1",
        now=START,
    )


async def test_get_or_create_workspace_is_idempotent(session: AsyncSession) -> None:
    first = await workspace(session, "T1")
    again = await workspace(session, "T1")
    teams_platform = await core.get_or_create_workspace(
        session, platform="teams", external_id="T1", now=START
    )
    assert again.id == first.id
    assert teams_platform.id != first.id  # the same id on another platform is another tenant
    assert await session.scalar(select(func.count()).select_from(Workspace)) == 2


async def test_get_or_create_workspace_survives_a_race(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Two events of a new workspace at once: the loser finds the winner's row."""
    async with sessions() as winner, sessions() as loser:
        await winner.begin()
        won = await workspace(winner, "T-race")  # inserted, not yet committed
        racing = asyncio.create_task(workspace(loser, "T-race"))
        await asyncio.sleep(0.3)  # the loser has looked, found nothing, and waits to insert
        await winner.commit()
        lost = await asyncio.wait_for(racing, timeout=20)
        await loser.commit()
    assert lost.id == won.id
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Workspace)) == 1


async def test_teams_are_found_only_from_their_own_workspace(session: AsyncSession) -> None:
    a, b = await workspace(session, "A"), await workspace(session, "B")
    checkout = add_team(session, a.id, "Checkout", "C1")
    await session.flush()

    assert await core.team_by_name(session, workspace_id=b.id, name="Checkout") is None
    assert await core.team_by_channel(session, workspace_id=b.id, channel_id="C1") is None
    assert await core.team_by_id(session, workspace_id=b.id, team_id=checkout.id) is None
    assert await core.teams(session, workspace_id=b.id) == []
    assert await core.teams_led_by(session, workspace_id=b.id, user_id="U1") == []

    # Workspace B may use the same name and channel id for a team of its own.
    theirs = add_team(session, b.id, "Checkout", "C1")
    await session.flush()
    assert (await core.team_by_name(session, workspace_id=b.id, name="checkout")) is theirs
    assert (await core.team_by_channel(session, workspace_id=a.id, channel_id="C1")) is checkout


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Checkout", "checkout"),
        ("  CHECKOUT ", "checkout"),
        ("Check   Out\tTeam", "check out team"),
    ],
)
def test_team_names_fold_case_and_spaces(typed: str, key: str) -> None:
    assert core.team_name_key(typed) == key


async def test_a_folded_name_is_one_team(session: AsyncSession) -> None:
    a = await workspace(session, "A")
    team = add_team(session, a.id, "Checkout", "C1")
    await session.flush()
    assert await core.team_by_name(session, workspace_id=a.id, name="  CHECKOUT ") is team

    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            add_team(session, a.id, "checkout", "C2")


async def test_timestamps_come_back_aware_and_in_utc(session: AsyncSession) -> None:
    berlin_morning = datetime(2027, 1, 4, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    saved = await core.get_or_create_workspace(
        session, platform="slack", external_id="TZ", now=berlin_morning
    )
    await session.flush()
    session.expunge(saved)

    loaded = await session.scalar(select(Workspace).where(Workspace.external_id == "TZ"))
    assert loaded is not None
    assert loaded.created_at == berlin_morning
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.created_at.replace(tzinfo=None) == datetime(2027, 1, 4, 9, 30)


async def test_naive_timestamps_are_refused(session: AsyncSession) -> None:
    with pytest.raises(StatementError, match="naive datetimes are not stored"):
        await core.get_or_create_workspace(
            session, platform="slack", external_id="N", now=datetime(2027, 1, 4, 9, 0)
        )
