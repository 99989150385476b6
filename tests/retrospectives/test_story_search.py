"""Transcripts: people find their teams' past learning with /story search, and nobody else's."""

from datetime import timedelta


async def test_last_quarters_story_is_found_by_a_word_in_it(bot):
    await bot.say("/okr team create Checkout tz=Europe/Berlin")
    await bot.say("/okr kr add Refund contacts halve")
    await bot.say(
        "/story learning hypothesis: a clearer refund page cuts contacts | "
        "learned: people still call about timing | result: invalidated | kr: KR1"
    )
    await bot.say("/story impact who: shop owners | after: they answer refunds themselves")
    bot.clock.advance(timedelta(days=100))
    await bot.say("/story learning we tried a refund timeline | result: inconclusive")

    answer = await bot.say("/story search timing", channel="D1", direct=True)
    assert "1 story of Checkout match" in answer
    assert "Learning story · Checkout · 2027Q1 · invalidated · KR1" in answer
    assert "people still call about timing" in answer

    answer = await bot.say("/story search refund")
    assert "3 stories of Checkout match" in answer  # refund is the start of refunds too
    assert answer.index("refund timeline") < answer.index("clearer refund page")
    assert "2027Q2 · inconclusive" in answer

    only_q1 = await bot.say("/story search refund 2027Q1")
    assert "clearer refund page" in only_q1
    assert "refund timeline" not in only_q1
    assert "clearer refund page" in await bot.say("/story search KR1")
    assert "refund timeline" not in await bot.say("/story search invalidated")
    assert "Customer-impact story · Checkout · 2027Q1" in await bot.say("/story search owners")


async def test_other_teams_and_workspaces_stay_out_of_reach(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/story learning Checkout learned that refunds need a timeline")
    await bot.say("/okr team create Payments", channel="C2", user="U2")
    await bot.say(
        "/story learning Payments learned that refunds need a receipt", channel="C2", user="U2"
    )
    await bot.say("/okr team create Checkout", workspace="W2")
    await bot.say("/story learning W2 learned that refunds need a call", workspace="W2")

    answer = await bot.say("/story search refunds")
    assert "1 story of Checkout match" in answer
    assert "timeline" in answer
    assert "receipt" not in answer
    assert "a call" not in answer

    await bot.say("hello", channel="C2", user="U1")  # now seen in Payments' channel too
    answer = await bot.say("/story search refunds")
    assert "2 stories of Checkout, Payments match" in answer
    assert "a call" not in answer


async def test_a_search_needs_words_and_a_team(bot):
    assert "Tell me what to look for" in await bot.say("/story search")
    assert "/story search onboarding" in await bot.say("/story search  ?! ")
    answer = await bot.say("/story search refunds", channel="D9", direct=True, user="U9")
    assert "not in any team's channel" in answer
    await bot.say("/okr team create Checkout")
    assert "No story of Checkout matches" in await bot.say("/story search refunds")
    assert "too long" in await bot.say("/story search " + "word " * 100)
