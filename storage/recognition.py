"""Team shout-outs and their co-signs.

Deliberately no column, relationship or join to key results: recognition is for behaviour,
never for attainment.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, UTCDateTime


class Behaviour(StrEnum):
    LEARNING = "learning"  # learned and adapted
    EXPERIMENT = "experiment"  # ran a good experiment, whatever its result
    HELPING = "helping"  # helped another team
    CUSTOMER = "customer"  # changed something for customers
    OTHER = "other"


class ShoutOut(Base):
    __tablename__ = "shout_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    giver_id: Mapped[str | None] = mapped_column(String(128))  # None once the giver is erased
    giver_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    behaviour: Mapped[Behaviour] = mapped_column(
        Enum(Behaviour, name="behaviour", values_callable=lambda e: [m.value for m in e], length=16)
    )
    text: Mapped[str] = mapped_column(Text)
    private: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    recipients: Mapped[list[ShoutOutRecipient]] = relationship(
        back_populates="shout_out", cascade="all, delete-orphan", lazy="selectin"
    )
    co_signs: Mapped[list[CoSign]] = relationship(
        back_populates="shout_out", cascade="all, delete-orphan", lazy="selectin"
    )


class ShoutOutRecipient(Base):
    """A team that received a shout-out, and the message that announced it in its channel."""

    __tablename__ = "shout_out_recipient"

    shout_out_id: Mapped[int] = mapped_column(
        ForeignKey("shout_out.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)

    shout_out: Mapped[ShoutOut] = relationship(back_populates="recipients")


class CoSign(Base):
    """Someone adding their voice to a shout-out (a reaction in Slack)."""

    __tablename__ = "co_sign"

    shout_out_id: Mapped[int] = mapped_column(
        ForeignKey("shout_out.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    shout_out: Mapped[ShoutOut] = relationship(back_populates="co_signs")
