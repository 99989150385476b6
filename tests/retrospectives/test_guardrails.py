"""Transcripts: every key result carries what must not get worse while the team pushes it."""

from sqlalchemy import select

from bot.events import EventKind
from storage.okr import KeyResult
from storage.retro import RetroCycle
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness


async def key_results(bot):
    async with bot.app.sessions() as session:
        return (await session.scalars(select(KeyResult).order_by(KeyResult.number))).all()


async def test_a_key_result_added_with_its_guardrail_keeps_it(bot):
    await bot.say("/okr team create Checkout")
    answer = await bot.say(
        "/okr kr add Checkout completion reaches 70% | guardrail: refund requests do not rise"
    )
    assert "Recorded KR1" in answer
    assert "guardrail: refund requests do not rise" in answer
    assert "What must not get worse" not in answer
    [kr] = await key_results(bot)
    assert (kr.text, kr.guardrail) == (
        "Checkout completion reaches 70%",
        "refund requests do not rise",
    )


async def test_without_a_guardrail_the_bot_asks_for_one_once_and_takes_the_answer(bot):
    await bot.say("/okr team create Checkout")
    answer = await bot.say("/okr kr add Checkout completion reaches 70%")
    assert "Recorded KR1" in answer
    assert answer.count("What must not get worse while the team pushes KR1") == 1
    assert "/okr kr guardrail KR1" in answer
    [kr] = await key_results(bot)
    assert kr.guardrail is None

    answer = await bot.say("/okr kr guardrail KR1 support tickets per order stay flat")
    assert (
        "KR1 of Checkout now carries its guardrail: support tickets per order stay flat" in answer
    )
    [kr] = await key_results(bot)
    assert kr.guardrail == "support tickets per order stay flat"


async def test_only_leads_name_guardrails_and_bad_input_is_explained(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr kr add Completion reaches 70%")
    assert "Only a lead of Checkout" in await bot.say("/okr kr guardrail KR1 refunds", user="U2")
    assert "Checkout has no KR4" in await bot.say("/okr kr guardrail KR4 refunds")
    assert "for example: /okr kr guardrail KR1" in await bot.say("/okr kr guardrail refunds")
    assert "Write the guardrail itself" in await bot.say("/okr kr guardrail KR1")
    assert "Write the guardrail itself" in await bot.say("/okr kr add Refunds halve | guardrail:")
    assert "then its guardrail after a bar" in await bot.say("/okr kr add Refunds | owner: me")
    assert "under 500 characters" in await bot.say("/okr kr guardrail KR1 " + "x" * 501)
    [kr] = await key_results(bot)
    assert kr.guardrail is None


async def test_the_list_shows_guardrails_and_tells_only_leads_which_lack_one(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr kr add Completion reaches 70% | guardrail: refunds do not rise")
    await bot.say("/okr kr add Refund contacts halve")
    for_lead = await bot.say("/okr kr")
    assert "KR1: Completion reaches 70%\nguardrail: refunds do not rise" in for_lead
    assert "KR2: Refund contacts halve\nno guardrail yet" in for_lead
    for_member = await bot.say("/okr kr", user="U2")
    assert "guardrail: refunds do not rise" in for_member
    assert "no guardrail yet" not in for_member


async def test_a_story_citing_a_key_result_shows_its_guardrail(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr kr add Completion reaches 70% | guardrail: refunds do not rise")
    answer = await bot.say("/story learning learned: shorter forms help | kr: KR1", user="U2")
    assert "It cites KR1 Completion reaches 70% (guardrail: refunds do not rise)" in answer
    answer = await bot.say("/story impact who: buyers | after: they finish | kr: KR1", user="U2")
    assert "(guardrail: refunds do not rise)" in answer


async def test_the_digest_carries_guardrails_and_marks_a_key_result_without_one(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr kr add Completion reaches 70% | guardrail: refunds do not rise")
    await bot.say("/okr kr add Refund contacts halve")
    await bot.say("/story learning learned: shorter forms help | kr: KR1", user="U2")
    outcome = await bot.send(bot.event(EventKind.COMMAND, text="/okr digest"))
    [reply] = outcome.replies
    body = {s.title: s.text for s in reply.sections}
    assert (
        "Checkout: learning about KR1 (Completion reaches 70%; guardrail: refunds do not rise)"
        in body
    )
    listed = body["Checkout: key results and their guardrails"]
    assert "• KR1 Completion reaches 70% (guardrail: refunds do not rise)" in listed
    assert "• KR2 Refund contacts halve (no guardrail yet" in listed


async def test_the_metric_question_names_the_key_results_and_their_guardrails(database_url):
    bot = await Harness.start(database_url, directory=FakeDirectory(members={"C1": ["U1", "U2"]}))
    try:
        await bot.say("/okr team create Checkout")
        await bot.say("/okr kr add Completion reaches 70% | guardrail: refunds do not rise")
        await bot.say("/okr kr add Refund contacts halve")
        await bot.say("/retro start")
        await bot.tick()
        async with bot.app.sessions() as session:
            cycle = await session.scalar(select(RetroCycle))
        [metric] = [q["text"] for q in cycle.questions if q["key"] == "metric"]
        for _ in range(4):
            answer = await bot.say("skip", user="U2", channel="DU2", direct=True)
    finally:
        await bot.close()
    assert metric.startswith("Did any metric or target push us")
    named = (
        "Our key results: KR1 Completion reaches 70% (guardrail: refunds do not rise); "
        "KR2 Refund contacts halve."
    )
    assert metric.endswith(named)
    assert named in answer  # the person is asked it with the key results named
