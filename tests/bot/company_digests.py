"""A company's week for the digest tests: many teams and leads, varied stories, two workspaces.

Written the way people write it (commands), except what only a retrospective or the morning
notice writes (adaptations awaiting follow-up, anonymous concerns told to leads), which is
stored directly.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.runtime import digest
from storage import schedule
from storage.core import Team, TeamLead, find_workspace
from storage.okr import AnonymousConcern
from storage.outbox import OutboxMessage
from storage.retro import Adaptation

TEAMS = 10
NOBODY = "U99"  # a run for someone who leads no team (any more): no digest


def founder(i: int) -> str:
    return f"L{i % 6}"  # L0 … L3 found two teams each, L4 and L5 one


async def write_company(bot) -> None:
    """Ten teams, their leads (some shared), key results, stories old and new, shout-outs."""
    for i in range(TEAMS):
        await bot.say(f"/okr team create Team{i}", channel=f"C{i}", user=founder(i))
        if i % 2 == 0:
            await bot.say(
                f"/okr kr add Team{i} completion reaches {60 + i}% | guardrail: refunds stay flat",
                channel=f"C{i}",
                user=founder(i),
            )
        if i % 3 == 0:
            await bot.say(
                f"/okr kr add Team{i} weekly active sellers double",
                channel=f"C{i}",
                user=founder(i),
            )
    for i in (2, 5, 8):  # L7 leads three teams with others; L8 joins Team9 alone
        await bot.say("/okr team lead @L7", channel=f"C{i}", user=founder(i))
    await bot.say("/okr team lead @L8", channel="C9", user=founder(9))
    for i in range(TEAMS):  # last week's: in no digest
        await bot.say(f"/story learning learned: an old lesson of Team{i}", channel=f"C{i}")
    bot.clock.advance(timedelta(days=8))
    for i in range(TEAMS):
        if i % 4 == 3:
            continue  # a quiet team: "No stories this week"
        await bot.say(
            f"/story learning hypothesis: shorter forms help Team{i} | learned: trust matters "
            f"| result: invalidated | next: test trust badges {i} | kr: KR1",
            channel=f"C{i}",
            user="U2",
        )
        for what in ("read reviews", "compare prices", "abandon at shipping"):
            bot.clock.advance(timedelta(minutes=1))
            await bot.say(
                f"/story learning We learned buyers of Team{i} {what}", channel=f"C{i}", user="U4"
            )
        if i % 2:
            await bot.say(
                f"/story impact who: buyers {i} | before: retyped addresses | after: reuse them",
                channel=f"C{i}",
                user="U3",
            )
        if i % 3 == 1:
            await bot.say(
                f"/okr concern Conversion {i}: we push upsells that annoy people",
                channel=f"C{i}",
                user="U3",
            )
    for i in range(TEAMS):
        if i % 3 != 2:
            target = (i + 1) % TEAMS
            private = "private " if i == 4 else ""
            await bot.say(
                f"/shoutout {private}Team{target} for sharing their failed experiment {i}",
                channel=f"C{i}",
                user=f"G{i}",
            )
    await bot.say("/okr team create Elsewhere", channel="C1", user="L0", workspace="W2")
    await bot.say("/story learning learned: only W2 knows this", channel="C1", workspace="W2")
    await _stored(bot)


async def _stored(bot) -> None:
    """Adaptations awaiting follow-up and anonymous concerns told to leads, for a few teams."""
    now = bot.clock.now()
    async with bot.app.sessions() as session, session.begin():
        workspace = await find_workspace(session, platform="console", external_id="W1")
        assert workspace is not None
        teams = (await session.scalars(select(Team).where(Team.workspace_id == workspace.id))).all()
        for team in teams:
            number = int(team.name.removeprefix("Team"))
            if number % 3 == 0:
                for text in ("pair on the checkout copy", "ask support weekly"):
                    session.add(
                        Adaptation(
                            workspace_id=workspace.id, team_id=team.id, text=f"{text} {number}",
                            created_at=now - timedelta(days=20),
                        )
                    )  # fmt: skip
            if number % 4 == 1:
                for reference, metric in ((40 + number, "Tickets closed"), (50, "Tickets closed")):
                    session.add(
                        AnonymousConcern(
                            workspace_id=workspace.id, team_id=team.id, reference=reference,
                            metric=metric, harm=f"rushed answers {number}",
                            raised_on=(now - timedelta(days=2)).date(), told_at=now,
                        )
                    )  # fmt: skip


async def leads(bot) -> list[tuple[int, str]]:
    """(workspace id, lead) of every lead, and someone who leads nothing, in W1."""
    async with bot.app.sessions() as session:
        found = await session.execute(
            select(Team.workspace_id, TeamLead.user_id).join(TeamLead).distinct()
        )
        every = sorted({(workspace_id, lead) for workspace_id, lead in found})
    return [*every, (every[0][0], NOBODY)]


async def plan(bot, due_at, who: list[tuple[int, str]]) -> None:
    async with bot.app.sessions() as session, session.begin():
        for workspace_id, lead in who:
            await schedule.plan(
                session, workspace_id=workspace_id, job=digest.JOB,
                subject=digest.LeadsMonday(workspace_id, lead).key(), due_at=due_at,
                now=bot.clock.now(),
            )  # fmt: skip


async def messages(bot, due_at, who: list[tuple[int, str]]) -> dict[tuple[int, str], list]:
    """Each lead's digest pages of the run due at ``due_at``, as the outbox holds them."""
    found: dict[tuple[int, str], list] = {}
    async with bot.app.sessions() as session:
        for workspace_id, lead in who:
            prefix = f"digest:{lead}:{due_at.isoformat()}"
            rows = await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.workspace_id == workspace_id,
                    OutboxMessage.idempotency_key.startswith(prefix),
                )
                .order_by(OutboxMessage.id)
            )
            found[(workspace_id, lead)] = [
                (m.idempotency_key.removeprefix(prefix), m.target_id, m.payload) for m in rows
            ]
    return found


async def outbox_size(bot) -> int:
    async with bot.app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
