"""Transcripts: a team's learning ledger, quarter by quarter, shown privately to its members."""

import re
from datetime import timedelta

from bot.events import EventKind
from bot.replies import Visibility
from retrospectives.learning import texts


async def test_the_ledger_counts_a_quarters_learning_as_the_teams(bot):
    await bot.say("/okr team create Checkout tz=Europe/Berlin")
    await bot.say("/story learning hypothesis: a | result: validated")
    await bot.say("/story learning hypothesis: b | result: invalidated", user="U2")
    await bot.say("/story learning hypothesis: c | result: invalidated", user="U3")
    await bot.say("/story learning hypothesis: d | result: inconclusive")
    await bot.say("/story impact who: shops | after: they self-serve | evidence: tickets -30%")
    await bot.say("/story impact who: buyers | after: they come back")
    await bot.say("/okr concern Handle time: people rush calls")
    bot.clock.advance(timedelta(days=95))
    await bot.say("/story learning hypothesis: e | result: validated", user="U2")

    outcome = await bot.send(bot.event(EventKind.COMMAND, text="/okr ledger", channel="C1"))
    [reply] = outcome.replies
    assert reply.visibility is Visibility.PRIVATE
    answer = await bot.say("/okr ledger")
    assert "The learning ledger of Checkout" in answer
    assert answer.index("2027Q2") < answer.index("2027Q1")
    q1 = answer[answer.index("2027Q1") :]
    assert "1 validated · 2 invalidated (learned what does not work) · 1 inconclusive" in q1
    assert "1 with evidence · 1 still without evidence" in q1
    assert "1 raised" in q1
    assert "0 done · 0 dropped · 0 open" in q1
    for person in ("U1", "U2", "U3"):
        assert person not in answer


async def test_only_members_read_a_teams_ledger(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr team create Payments", channel="C2", user="U2")
    await bot.say("/story learning hypothesis: x | result: validated", channel="C2", user="U2")
    assert "for its members" in await bot.say("/okr ledger Payments")
    assert "no stories" in await bot.say("/okr ledger", channel="D1", direct=True)
    assert "2027Q1" in await bot.say("/okr ledger Payments", channel="D2", direct=True, user="U2")
    await bot.say("hello", channel="C2")
    assert "name one" in await bot.say("/okr ledger", channel="D1", direct=True)
    assert "no team called Nope" in await bot.say("/okr ledger Nope")
    assert "not in any team" in await bot.say("/okr ledger", channel="D9", direct=True, user="U9")


async def test_the_ledger_counts_the_concerns_the_leads_answered(bot):
    await bot.say("/okr team create Support")
    raised = await bot.say("/okr concern Handle time: people rush calls", user="U2")
    await bot.say("/okr concern Tickets closed: people split tickets", user="U3")
    [code] = re.findall(r"\bC\d+\b", raised)[:1]
    await bot.say(f"/okr concern answer {code} changed: we count problems solved at first contact")
    answer = await bot.say("/okr ledger")
    assert texts.ledger_concerns(2, 1) in answer
