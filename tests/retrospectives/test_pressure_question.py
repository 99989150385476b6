"""The retrospective asks, always anonymously, whether anyone felt pushed to dress up a KR."""

from sqlalchemy import select

from bot.events import EventKind
from storage.retro import AnonymousAnswer, RetroAnswer
from tests.support.fakes import FakeDirectory
from tests.support.harness import Harness
from tests.support.transcripts import reply_text

PRESSED = {
    "U2": "KR1: we counted half-finished checkouts as completed",
    "U3": "KR1, the completion number got reported before refunds came in",
    "U4": "no",
}


async def retro_with(database_url, *, key_result: bool):
    bot = await Harness.start(
        database_url, directory=FakeDirectory(members={"C1": ["U1", "U2", "U3", "U4"]})
    )
    await bot.say("/okr team create Checkout")
    if key_result:
        await bot.say("/okr kr add Completion reaches 70% | guardrail: refunds do not rise")
    await bot.say("/retro start")
    await bot.tick()
    return bot


async def dm(bot, user, text):
    return await bot.say(text, user=user, channel=f"D{user}", direct=True)


async def test_the_pressure_question_is_anonymous_and_feeds_summary_and_digest(database_url):
    bot = await retro_with(database_url, key_result=True)
    try:
        for person, said in PRESSED.items():
            await dm(bot, person, "We bet on a shorter form")  # a named answer first
            for _ in range(4):
                asked = await dm(bot, person, "skip")
            assert "Question 6 of 6" in asked and "always kept anonymously" in asked
            assert "KR1 Completion reaches 70% (guardrail: refunds do not rise)" in asked
            await dm(bot, person, said)
        async with bot.app.sessions() as session:
            named = (await session.scalars(select(RetroAnswer.question_key))).all()
            anonymous = (await session.scalars(select(AnonymousAnswer.question_key))).all()
        assert sorted(named) == ["bet", "bet", "bet"]
        assert sorted(anonymous) == ["pressure", "pressure", "pressure"]

        await bot.say("/retro close")
        await bot.deliver()
        summary = reply_text(bot.port.to("C1")[-1].reply)
        assert "Pressure to make a key result look better than its outcome" in summary
        assert PRESSED["U2"] in summary and PRESSED["U3"] in summary

        outcome = await bot.send(bot.event(EventKind.COMMAND, text="/okr digest"))
        digest = "\n".join(reply_text(r) for r in outcome.replies)
        assert "Pressure on a key result (retrospective, anonymous)" in digest
        assert PRESSED["U3"] in digest
        for person in PRESSED:
            assert person not in digest and person not in summary
    finally:
        await bot.close()


async def test_a_team_without_key_results_is_not_asked(database_url):
    bot = await retro_with(database_url, key_result=False)
    try:
        asked = await dm(bot, "U2", "skip")
        assert "of 5" in asked
    finally:
        await bot.close()


async def test_pressure_answers_do_not_unlock_anyone_elses_anonymous_answers(database_url):
    bot = await retro_with(database_url, key_result=True)
    try:
        await dm(bot, "U2", "anonymous")
        await dm(bot, "U2", "A bet only U2's own words would tell")
        for person in ("U3", "U4"):
            for _ in range(5):
                await dm(bot, person, "skip")
            await dm(bot, person, "KR1 numbers were polished for the review")
        await bot.say("/retro close")
        await bot.deliver()
        summary = reply_text(bot.port.to("C1")[-1].reply)
        # One person chose anonymity and two answered the pressure question: both below k.
        assert "A bet only" not in summary and "polished" not in summary
    finally:
        await bot.close()
