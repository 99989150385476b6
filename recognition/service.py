"""What the recognition domain does to the data. Session first; nothing here commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Outcome
from recognition import texts
from recognition.commands import ShoutOutRequest, Target
from recognition.errors import DraftGone, OwnTeam, RepeatedShoutOut, UnknownTeam
from storage import core
from storage import recognition as shout_outs
from storage.core import Team
from storage.recognition import ShoutOut, ShoutOutStatus

QUIET_PERIOD = timedelta(weeks=4)
REPEAT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How recognition spread over a workspace in a period: about teams, never about people."""

    quiet_teams: tuple[str, ...]  # teams nobody recognised in the period
    cross_team_share: float | None  # of shout-outs from a known team, the share to another
    givers: int  # different people who gave, with no count of who gave what
    weeks: int


async def team_names(session: AsyncSession, *, workspace_id: int) -> list[str]:
    """Name every team of a workspace (the only teams a shout-out can reach)."""
    return [team.name for team in await core.teams(session, workspace_id=workspace_id)]


async def resolve_teams(
    session: AsyncSession, *, workspace_id: int, targets: Sequence[Target], input_name: str = ""
) -> list[Team]:
    """Find the named teams in this workspace only; a name from elsewhere is unknown here."""
    found: list[Team] = []
    for target in targets:
        team = await _resolve(session, workspace_id=workspace_id, target=target)
        if team is None and target.channel_id:
            message = texts.no_team_in_channel(target.name or target.channel_id)
            raise UnknownTeam(message, input_name=input_name)
        if team is None:
            raise UnknownTeam(texts.unknown_team(target.name), input_name=input_name)
        if team.id not in {t.id for t in found}:
            found.append(team)
    return found


async def _resolve(session: AsyncSession, *, workspace_id: int, target: Target) -> Team | None:
    if target.channel_id:
        team = await core.team_by_channel(
            session, workspace_id=workspace_id, channel_id=target.channel_id
        )
        if team is not None:
            return team
    if target.name:
        return await core.team_by_name(session, workspace_id=workspace_id, name=target.name)
    return None


def refuse_own_team(
    teams: Sequence[Team], *, giver_id: str, channel_id: str, input_name: str = ""
) -> None:
    """Refuse a shout-out to the giver's own team, kindly, pointing to a learning story.

    A team is the giver's own when they lead it or when the shout-out is given from its
    channel. Shout-outs exist so that recognition crosses team lines and the coverage leads
    see ("nobody recognised Payments lately") stays honest; self-praise would blur both, and
    posting it privately would only hide it. What a team learned about itself is better told
    as a learning story, which reaches the digest with its evidence, so the refusal says so.
    """
    for team in teams:
        if team.is_lead(giver_id) or team.channel_id == channel_id:
            raise OwnTeam(texts.own_team(team.name), input_name=input_name)


async def giver_team(
    session: AsyncSession, *, workspace_id: int, channel_id: str, giver_id: str
) -> Team | None:
    """Place the giver in a team: this channel's team, else a team they lead, else none."""
    here = await core.team_by_channel(session, workspace_id=workspace_id, channel_id=channel_id)
    if here is not None:
        return here
    led = await core.teams_led_by(session, workspace_id=workspace_id, user_id=giver_id)
    return led[0] if led else None


async def refuse_repeat(
    session: AsyncSession,
    *,
    workspace_id: int,
    giver_id: str,
    teams: Sequence[Team],
    text: str,
    now: datetime,
) -> None:
    """Refuse a shout-out its giver already posted, word for word, to the same teams today."""
    earlier = await shout_outs.posted_by_giver_since(
        session, workspace_id=workspace_id, giver_id=giver_id, text=text, since=now - REPEAT_WINDOW
    )
    team_ids = frozenset(t.id for t in teams)
    if any(s.team_ids == team_ids for s in earlier):
        raise RepeatedShoutOut(texts.repeated(texts.join_names([t.name for t in teams])))


async def give(
    session: AsyncSession,
    *,
    workspace_id: int,
    giver_id: str,
    channel_id: str,
    request: ShoutOutRequest,
    hold: bool,
    now: datetime,
    input_name: str = "",
) -> tuple[ShoutOut, list[Team]]:
    """Record a shout-out to the requested teams; ``hold`` keeps it as the giver's draft."""
    teams = await resolve_teams(
        session, workspace_id=workspace_id, targets=request.targets, input_name=input_name
    )
    refuse_own_team(teams, giver_id=giver_id, channel_id=channel_id, input_name=input_name)
    await refuse_repeat(
        session,
        workspace_id=workspace_id,
        giver_id=giver_id,
        teams=teams,
        text=request.text,
        now=now,
    )
    from_team = await giver_team(
        session, workspace_id=workspace_id, channel_id=channel_id, giver_id=giver_id
    )
    shout_out = shout_outs.add_shout_out(
        session,
        workspace_id=workspace_id,
        giver_id=giver_id,
        giver_team_id=from_team.id if from_team else None,
        team_ids=[t.id for t in teams],
        behaviour=request.behaviour,
        text=request.text,
        private=request.private,
        status=ShoutOutStatus.DRAFT if hold else ShoutOutStatus.POSTED,
        now=now,
    )
    await session.flush()
    return shout_out, teams


async def post_draft(
    session: AsyncSession, *, workspace_id: int, giver_id: str, shout_out_id: int, now: datetime
) -> tuple[ShoutOut, list[Team]] | None:
    """Post a giver's held-back draft exactly as written; None if it was posted already."""
    found = await shout_outs.shout_out_by_id(
        session, workspace_id=workspace_id, shout_out_id=shout_out_id
    )
    if found is None or found.giver_id != giver_id:
        raise DraftGone(texts.DRAFT_GONE)
    if found.status is ShoutOutStatus.POSTED:
        return None
    teams = await recipient_teams(session, shout_out=found)
    await refuse_repeat(
        session, workspace_id=workspace_id, giver_id=giver_id, teams=teams, text=found.text, now=now
    )
    if not await shout_outs.publish_draft(
        session, workspace_id=workspace_id, shout_out_id=shout_out_id, giver_id=giver_id, now=now
    ):
        return None  # pressed twice at once: the other press posted it
    await session.refresh(found)
    return found, teams


async def discard_draft(
    session: AsyncSession, *, workspace_id: int, giver_id: str, shout_out_id: int
) -> None:
    """Throw away a giver's held-back draft."""
    found = await shout_outs.shout_out_by_id(
        session, workspace_id=workspace_id, shout_out_id=shout_out_id
    )
    if found is None or found.giver_id != giver_id or found.status is not ShoutOutStatus.DRAFT:
        raise DraftGone(texts.DRAFT_GONE)
    await session.delete(found)


async def recipient_teams(session: AsyncSession, *, shout_out: ShoutOut) -> list[Team]:
    """The teams a shout-out went to, by name."""
    teams = [
        await core.team_by_id(session, workspace_id=shout_out.workspace_id, team_id=r.team_id)
        for r in shout_out.recipients
    ]
    return sorted((t for t in teams if t is not None), key=lambda t: t.name_key)


def announced(session: AsyncSession, *, shout_out: ShoutOut, outcome: Outcome) -> Outcome:
    """Remember the messages of ``outcome`` that announce the shout-out; return the outcome."""
    shout_outs.add_announcements(
        session, shout_out=shout_out, outbox_keys=[d.key for d in outcome.deliveries]
    )
    return outcome


async def co_sign(
    session: AsyncSession, *, workspace_id: int, message_id: str, user_id: str, now: datetime
) -> bool:
    """Let a reaction on an announcement co-sign its shout-out, once per person, not the giver."""
    if not message_id:
        return False
    found = await shout_outs.announced_shout_out(
        session, workspace_id=workspace_id, message_id=message_id
    )
    if found is None or found.giver_id == user_id:
        return False
    return await shout_outs.add_co_sign(session, shout_out_id=found.id, user_id=user_id, now=now)


async def received_by_teams(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int], since: datetime
) -> dict[int, list[ShoutOut]]:
    """Shout-outs each team received since a moment, private ones included (for its leads),
    each team's oldest first."""
    return await shout_outs.received_by_teams(
        session, workspace_id=workspace_id, team_ids=team_ids, since=since
    )


async def coverage(
    session: AsyncSession, *, workspace_id: int, since: datetime, now: datetime
) -> Coverage:
    """Describe how recognition spread across a workspace's teams between two moments."""
    reached = await shout_outs.recognitions_between(
        session, workspace_id=workspace_id, since=since, until=now
    )
    recognised = {team_id for _, _, team_id in reached}
    teams = await core.teams(session, workspace_id=workspace_id)
    quiet = tuple(t.name for t in teams if t.id not in recognised and t.created_at <= since)
    placed = [(giver_team, team_id) for _, giver_team, team_id in reached if giver_team]
    crossed = sum(1 for giver, receiver in placed if giver != receiver)
    return Coverage(
        quiet_teams=quiet,
        cross_team_share=crossed / len(placed) if placed else None,
        givers=len({giver for giver, _, _ in reached if giver}),
        weeks=max(1, round((now - since) / timedelta(weeks=1))),
    )
