"""Try to tell who said what anonymously: by elimination, by time, by keys, by the log."""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import DateTime, select

from retrospectives.cycles import texts as cycle_texts
from storage.base import Base
from storage.ledger import ProcessedEvent
from storage.okr import AnonymousConcern
from storage.retro import AnonymousAnswer, RetroParticipant
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness

MEMBERS = ["U1", "U2", "U3", "U4", "U5"]
ANONYMOUS_TABLES = {AnonymousAnswer.__tablename__, AnonymousConcern.__tablename__}


@pytest.fixture
async def team(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": MEMBERS}))
    await bot.say("/okr team create Checkout")
    yield bot
    await bot.close()


async def dm(bot, user, text):
    return await bot.say(text, user=user, channel=f"D{user}", direct=True)


async def summary_of(bot):
    await bot.say("/retro close")
    await bot.deliver()
    [summary] = bot.port.to("C1")[-1:]
    return summary.reply.text + "\n".join(s.text for s in summary.reply.sections)


async def test_two_named_and_one_anonymous_answer_do_not_show_the_anonymous_one(team):
    await team.say("/retro start")
    await team.tick()
    await dm(team, "U1", "We bet on a shorter form")
    await dm(team, "U2", "We bet on reviews")
    told = await dm(team, "U3", "anonymous")
    assert cycle_texts.now_anonymous(3) in told
    await dm(team, "U3", "We bet on nothing, and that was the problem")
    text = await summary_of(team)
    assert "shorter form" in text and "reviews" in text
    assert "nothing, and that was" not in text
    assert cycle_texts.anonymous_withheld(3) in text
    assert "1 anonymous" not in text  # no count that would identify


async def test_three_anonymous_answerers_are_shown_unless_a_lead_raised_k(team):
    await team.say("/retro start")
    await team.tick()
    for person in ("U2", "U3", "U4"):
        await dm(team, person, "anonymous")
        await dm(team, person, f"Bet of someone {person[-1]}")
    text = await summary_of(team)
    assert all(f"Bet of someone {n}" in text for n in "234")

    assert cycle_texts.anonymity_set("Checkout", 4) in await team.say("/retro anonymity 4")
    assert cycle_texts.anonymity_usage(3) in await team.say(
        "/retro anonymity 2"
    )  # never below three
    team.clock.advance(timedelta(days=1))
    await team.say("/retro start")
    await team.tick()
    for person in ("U2", "U3", "U4"):
        await dm(team, person, "anonymous")
        await dm(team, person, f"Second bet {person[-1]}")
    assert "Second bet" not in await summary_of(team)


async def test_nothing_stored_joins_an_anonymous_answer_or_concern_to_its_author(team, caplog):
    caplog.set_level(logging.DEBUG)
    await team.say("/retro start")
    await team.tick()
    team.clock.advance(timedelta(minutes=7, seconds=13))
    for person in ("U2", "U3", "U4"):
        await dm(team, person, "anonymous")
        await dm(team, person, f"Secret of {person}-ish")
    await dm(team, "U5", "A named answer")
    await team.say("/okr concern Handle time: we rush calls anonymous", user="U3")
    await team.say("/retro close")
    await team.deliver()

    async with team.app.sessions() as session:
        anonymous = [
            *(await session.scalars(select(AnonymousAnswer))).all(),
            *(await session.scalars(select(AnonymousConcern))).all(),
        ]
        assert len(anonymous) == 4
        # The close forgot who chose anonymity; only unfinished, named places remain.
        kept = (await session.scalars(select(RetroParticipant))).all()
        assert not [p for p in kept if p.user_id in {"U2", "U3", "U4"} or p.anonymous]
        carrying = []  # rows of other tables that carry an anonymous text
        for table in Base.metadata.sorted_tables:
            if table.name in ANONYMOUS_TABLES:
                assert not [
                    c for c in table.columns if isinstance(c.type, DateTime) and c.name != "told_at"
                ]
                continue
            for row in (await session.execute(select(table))).all():
                if any("Secret of" in str(v) or "rush calls" in str(v) for v in row):
                    carrying.append((table.name, row))
    for row in anonymous:
        day = getattr(row, "answered_on", None) or row.raised_on
        assert type(day) is date  # no time of day to compare with anything
        # No key to a person: the only references are to the workspace, team or cycle.
        foreign = {fk.column.table.name for fk in row.__table__.foreign_keys}
        assert foreign <= {"workspace", "team", "retro_cycle"}
    # Shown in the channel's summary and kept as the team's stories, but with nobody's id.
    assert carrying
    for name, row in carrying:
        assert not [v for v in row if str(v) in {"U2", "U3", "U4", "@U2", "@U3", "@U4"}], name
    # And the log, at DEBUG, never pairs a person's id with what they said anonymously.
    for record in caplog.records:
        message = record.getMessage()
        if "Secret of" in message or "rush calls" in message:
            assert not any(u in message.replace("Secret of U", "") for u in MEMBERS), message


async def test_the_ledger_and_delivered_messages_are_forgotten_after_the_retention(team):
    async with team.app.sessions() as session:
        assert await session.scalar(select(ProcessedEvent.id).limit(1)) is not None
    await team.tick(team.clock.now() + timedelta(days=8))
    async with team.app.sessions() as session:
        old = datetime.now(UTC) - timedelta(days=8)
        left = (await session.scalars(select(ProcessedEvent))).all()
        assert [e for e in left if e.processed_at < old] == []
        assert left == []
