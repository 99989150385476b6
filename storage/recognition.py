"""Team shout-outs and their co-signs.

Deliberately no column, relationship or join to key results: recognition is for behaviour,
never for attainment.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, raiseload, relationship

from storage import ledger
from storage.base import Base, UTCDateTime, str_enum
from storage.outbox import OutboxMessage


class Behaviour(StrEnum):
    LEARNING = "learning"  # learned and adapted
    EXPERIMENT = "experiment"  # ran a good experiment, whatever its result
    HELPING = "helping"  # helped another team
    CUSTOMER = "customer"  # changed something for customers
    OTHER = "other"


class ShoutOutStatus(StrEnum):
    DRAFT = "draft"  # held back by the attainment nudge until the giver posts it anyway
    POSTED = "posted"


class ShoutOut(Base):
    __tablename__ = "shout_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    giver_id: Mapped[str | None] = mapped_column(String(128))  # None once the giver is erased
    giver_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    behaviour: Mapped[Behaviour] = mapped_column(str_enum(Behaviour, "behaviour"))
    text: Mapped[str] = mapped_column(Text)
    private: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ShoutOutStatus] = mapped_column(
        str_enum(ShoutOutStatus, "shout_out_status"), default=ShoutOutStatus.POSTED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    recipients: Mapped[list[ShoutOutRecipient]] = relationship(
        back_populates="shout_out", cascade="all, delete-orphan", lazy="selectin"
    )
    co_signs: Mapped[list[CoSign]] = relationship(
        back_populates="shout_out", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def team_ids(self) -> frozenset[int]:
        return frozenset(r.team_id for r in self.recipients)


class ShoutOutRecipient(Base):
    """A team that received a shout-out."""

    __tablename__ = "shout_out_recipient"

    shout_out_id: Mapped[int] = mapped_column(
        ForeignKey("shout_out.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed alone too: a team's shout-outs are found by the team (its leads' digest).
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    shout_out: Mapped[ShoutOut] = relationship(back_populates="recipients")


class ShoutOutAnnouncement(Base):
    """A message that announced a shout-out, known by its outbox key: a reaction co-signs it."""

    __tablename__ = "shout_out_announcement"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    outbox_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    shout_out_id: Mapped[int] = mapped_column(
        ForeignKey("shout_out.id", ondelete="CASCADE"), index=True
    )


class CoSign(Base):
    """Someone adding their voice to a shout-out (a reaction in Slack)."""

    __tablename__ = "co_sign"

    shout_out_id: Mapped[int] = mapped_column(
        ForeignKey("shout_out.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    shout_out: Mapped[ShoutOut] = relationship(back_populates="co_signs")


def add_shout_out(
    session: AsyncSession,
    *,
    workspace_id: int,
    giver_id: str,
    giver_team_id: int | None,
    team_ids: Sequence[int],
    behaviour: Behaviour,
    text: str,
    private: bool,
    status: ShoutOutStatus,
    now: datetime,
) -> ShoutOut:
    """Add a shout-out (posted, or a draft waiting for its giver) to the session."""
    shout_out = ShoutOut(
        workspace_id=workspace_id,
        giver_id=giver_id,
        giver_team_id=giver_team_id,
        behaviour=behaviour,
        text=text,
        private=private,
        status=status,
        created_at=now,
        posted_at=now if status is ShoutOutStatus.POSTED else None,
        recipients=[ShoutOutRecipient(team_id=team_id) for team_id in team_ids],
    )
    session.add(shout_out)
    return shout_out


async def shout_out_by_id(
    session: AsyncSession, *, workspace_id: int, shout_out_id: int
) -> ShoutOut | None:
    return await session.scalar(
        select(ShoutOut).where(ShoutOut.workspace_id == workspace_id, ShoutOut.id == shout_out_id)
    )


async def publish_draft(
    session: AsyncSession, *, workspace_id: int, shout_out_id: int, giver_id: str, now: datetime
) -> bool:
    """Turn one giver's draft into a posted shout-out; False if it was not a draft of theirs."""
    result = await session.execute(
        update(ShoutOut)
        .where(
            ShoutOut.workspace_id == workspace_id,
            ShoutOut.id == shout_out_id,
            ShoutOut.giver_id == giver_id,
            ShoutOut.status == ShoutOutStatus.DRAFT,
        )
        .values(status=ShoutOutStatus.POSTED, posted_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def posted_by_giver_since(
    session: AsyncSession, *, workspace_id: int, giver_id: str, text: str, since: datetime
) -> Sequence[ShoutOut]:
    """Shout-outs one person posted with exactly this text since a moment."""
    result = await session.scalars(
        select(ShoutOut).where(
            ShoutOut.workspace_id == workspace_id,
            ShoutOut.giver_id == giver_id,
            ShoutOut.status == ShoutOutStatus.POSTED,
            ShoutOut.posted_at >= since,
            ShoutOut.text == text,
        )
    )
    return result.all()


async def received_by_teams(
    session: AsyncSession, *, workspace_id: int, team_ids: Collection[int], since: datetime
) -> dict[int, list[ShoutOut]]:
    """Posted shout-outs each team received since a moment, oldest first, in one read (with their
    co-signs; the recipients are known from the read and not loaded again)."""
    found = await session.execute(
        select(ShoutOutRecipient.team_id, ShoutOut)
        .join(ShoutOutRecipient)
        .options(raiseload(ShoutOut.recipients))
        .where(
            ShoutOut.workspace_id == workspace_id,
            ShoutOutRecipient.team_id.in_(list(team_ids)),
            ShoutOut.status == ShoutOutStatus.POSTED,
            ShoutOut.posted_at >= since,
        )
        .order_by(ShoutOut.posted_at, ShoutOut.id)
    )
    received: dict[int, list[ShoutOut]] = {team_id: [] for team_id in team_ids}
    for team_id, shout_out in found:
        received[team_id].append(shout_out)
    return received


async def recognitions_between(
    session: AsyncSession, *, workspace_id: int, since: datetime, until: datetime
) -> Sequence[tuple[str | None, int | None, int]]:
    """(giver, giver's team, team recognised) for each team a posted shout-out reached.

    One join read by the shout-outs' time index, then each one's recipients by their key:
    no shout-out or recipient is loaded as an object, and nothing is read whole.
    """
    result = await session.execute(
        select(ShoutOut.giver_id, ShoutOut.giver_team_id, ShoutOutRecipient.team_id)
        .join(ShoutOutRecipient, ShoutOutRecipient.shout_out_id == ShoutOut.id)
        .where(
            ShoutOut.workspace_id == workspace_id,
            ShoutOut.status == ShoutOutStatus.POSTED,
            ShoutOut.posted_at >= since,
            ShoutOut.posted_at <= until,
        )
    )
    return [(giver, giver_team, team) for giver, giver_team, team in result]


async def add_co_sign(
    session: AsyncSession, *, shout_out_id: int, user_id: str, now: datetime
) -> bool:
    """Record that someone co-signed a shout-out; False if they had already."""
    return await ledger.insert_ignoring_duplicates(
        session,
        CoSign.__table__,  # type: ignore[arg-type]
        {"shout_out_id": shout_out_id, "user_id": user_id, "created_at": now},
    )


def announcement_key(shout_out_id: int, place: str) -> str:
    """The outbox key of one announcement of a shout-out (a team channel or a lead)."""
    return f"shoutout:{shout_out_id}:{place}"


def add_announcements(
    session: AsyncSession, *, shout_out: ShoutOut, outbox_keys: Sequence[str]
) -> None:
    """Remember which outbox messages announce a shout-out, so a reaction finds it."""
    session.add_all(
        ShoutOutAnnouncement(
            workspace_id=shout_out.workspace_id, outbox_key=key, shout_out_id=shout_out.id
        )
        for key in outbox_keys
    )


async def announced_shout_out(
    session: AsyncSession, *, workspace_id: int, message_id: str
) -> ShoutOut | None:
    """The posted shout-out a delivered platform message announced, if it announced one."""
    announced = (
        select(ShoutOut)
        .join(ShoutOutAnnouncement, ShoutOutAnnouncement.shout_out_id == ShoutOut.id)
        .join(
            OutboxMessage,
            and_(
                OutboxMessage.workspace_id == ShoutOutAnnouncement.workspace_id,
                OutboxMessage.idempotency_key == ShoutOutAnnouncement.outbox_key,
            ),
        )
        .where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.message_id == message_id,
            ShoutOut.status == ShoutOutStatus.POSTED,
        )
        .limit(1)
    )
    return await session.scalar(announced)
