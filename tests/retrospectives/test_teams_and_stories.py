"""Transcripts: people set up a team and tell stories; the database keeps exactly that."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from adapters.slack.settings import SLACK
from bot.events import EventKind
from retrospectives import texts
from retrospectives.okrs.concerns import texts as concern_texts
from storage.core import Team
from storage.okr import (
    AnonymousConcern,
    ImpactStory,
    KeyResult,
    LearningStory,
    MetricConcern,
    StoryResult,
)
from tests.support.rows import count, rows
from tests.support.transcripts import ANY, shows


async def test_team_create_makes_the_caller_lead(bot):
    answer = await bot.say("/okr team create Checkout tz=Europe/Berlin", channel="C1", user="U1")
    assert texts.team_created("Checkout", "Europe/Berlin") in answer
    [team] = await rows(bot, Team)
    assert (team.name, team.channel_id, team.timezone) == ("Checkout", "C1", "Europe/Berlin")
    assert team.is_lead("U1")


async def test_second_team_in_same_channel_or_same_name_is_refused(bot):
    await bot.say("/okr team create Checkout")
    assert texts.channel_taken("Checkout") in await bot.say("/okr team create Payments")
    taken = await bot.say("/okr team create checkout", channel="C2")
    assert texts.team_name_taken("checkout") in taken
    assert await count(bot, Team) == 1


async def test_team_create_in_a_direct_message_is_refused(bot):
    answer = await bot.say("/okr team create Checkout", channel="D1", direct=True)
    assert texts.TEAM_CREATE_IN_CHANNEL in answer
    assert await count(bot, Team) == 0


async def test_leads_add_leads_and_others_cannot(bot):
    await bot.say("/okr team create Checkout")
    assert texts.lead_added("Checkout", "U2") in await bot.say("/okr team lead <@U2|bea>")
    assert texts.lead_already("Checkout", "U2") in await bot.say("/okr team lead @U2")
    refused = await bot.say("/okr team lead @U4", user="U3")
    assert texts.only_leads("Checkout", ["U1", "U2"]) in refused
    async with bot.app.sessions() as session:
        team = await session.scalar(select(Team))
        assert sorted(lead.user_id for lead in team.leads) == ["U1", "U2"]


async def test_key_results_are_numbered_per_team_and_cited_by_stories(bot):
    await bot.say("/okr team create Checkout")
    first = await bot.say("/okr kr add Checkout completion reaches 70%")
    assert shows(first, texts.kr_added, "Checkout", "KR1", ANY)
    second = await bot.say("/okr kr add Refund contacts halve")
    assert shows(second, texts.kr_added, "Checkout", "KR2", ANY)
    await bot.say("/okr team create Payments", channel="C2", user="U2")
    other = await bot.say("/okr kr add Payouts in one day", channel="C2", user="U2")
    assert shows(other, texts.kr_added, "Payments", "KR1", ANY)

    answer = await bot.say(
        "/story learning hypothesis: fewer fields lift completion | learned: they did, a bit "
        "| result: validated | kr: KR2"
    )
    assert texts.learning_saved("Checkout", invalidated=False) in answer
    [story] = await rows(bot, LearningStory)
    [kr2] = [k for k in await rows(bot, KeyResult) if k.number == 2 and k.team_id == story.team_id]
    assert story.key_result_id == kr2.id
    assert story.result is StoryResult.VALIDATED


async def test_citing_a_key_result_that_does_not_exist_changes_nothing(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr kr add Completion reaches 70%")
    answer = await bot.say("/story learning learned: something | kr: KR7")
    assert texts.unknown_key_result("KR7", ["KR1"]) in answer
    assert await count(bot, LearningStory) == 0


async def test_invalidated_hypothesis_is_thanked_as_learning(bot):
    await bot.say("/okr team create Checkout")
    answer = await bot.say(
        "/story learning hypothesis: one-page checkout lifts completion "
        "| learned: it did not | result: invalidated"
    )
    assert texts.learning_saved("Checkout", invalidated=True) in answer
    [story] = await rows(bot, LearningStory)
    assert story.hypothesis == "one-page checkout lifts completion"
    assert story.learned == "it did not"
    assert story.result is StoryResult.INVALIDATED
    assert story.author_id == "U1"


async def test_output_only_story_gets_the_outcome_question_and_the_answer_is_kept(bot):
    await bot.say("/okr team create Checkout")
    answer = await bot.say("/story learning We shipped the new address form")
    assert texts.FOLLOW_UP_OUTCOME in answer
    [story] = await rows(bot, LearningStory)
    assert story.awaiting_outcome

    answer = await bot.say(
        "/story outcome Buyers stop abandoning at the address step", channel="D1", direct=True
    )
    assert texts.outcome_added("Checkout") in answer
    [story] = await rows(bot, LearningStory)
    assert story.outcome == "Buyers stop abandoning at the address step"
    assert not story.awaiting_outcome
    nothing = await bot.say("/story outcome more", user="U2")
    assert texts.NO_STORY_AWAITING_OUTCOME in nothing


async def test_impact_story_fields(bot):
    await bot.say("/okr team create Support")
    answer = await bot.say(
        "/story impact who: small shops | before: phoned us to reset passwords "
        "| after: reset it themselves | evidence: password calls down 40%"
    )
    assert texts.impact_saved("Support") in answer
    [story] = await rows(bot, ImpactStory)
    assert (story.who, story.before, story.after) == (
        "small shops",
        "phoned us to reset passwords",
        "reset it themselves",
    )


async def test_story_with_no_text_offers_a_form_and_the_form_saves_it(bot):
    await bot.say("/okr team create Checkout")
    outcome = await bot.send(bot.event(EventKind.COMMAND, text="/story learning"))
    [reply] = outcome.replies
    assert reply.form is not None and reply.form.form_id == "story_learning"
    assert reply.form.context == "C1"

    missing = await bot.submit("story_learning", {"hypothesis": "x"}, channel="D1")
    assert set(missing.form_errors) == {"learned"}
    assert await count(bot, LearningStory) == 0

    await bot.submit(
        "story_learning",
        {"hypothesis": "badges build trust", "learned": "no effect", "result": "inconclusive"},
        channel="",
    )
    # Without the form's context the team comes from the one the person leads.
    [story] = await rows(bot, LearningStory)
    assert story.learned == "no effect" and story.source.value == "form"


async def test_story_outside_a_team_channel_names_its_team_or_is_refused(bot):
    await bot.say("/okr team create Checkout", channel="C1", user="U1")
    await bot.say("/okr team create Payments", channel="C2", user="U1")
    refused = await bot.say("/story learning we learned fees confuse people", channel="C9")
    assert texts.NO_TEAM_HERE in refused
    answer = await bot.say(
        "/story learning learned: fees confuse people | team: payments", channel="C9"
    )
    assert texts.learning_saved("Payments", invalidated=False) in answer


async def test_anonymous_concern_reaches_every_lead_the_next_morning_without_author(bot):
    await bot.say("/okr team create Support")
    await bot.say("/okr team lead @U2")
    raised = bot.clock.now()
    answer = await bot.say(
        "/okr concern Handle time: agents close tickets before the problem is solved anonymous",
        user="U7",
    )
    assert shows(answer, concern_texts.saved_anonymously, "Support", ANY, ANY, False)
    # The person is told when the leads will read it: 09:00 after the day is over.
    morning = datetime.combine(raised.date() + timedelta(days=1), time(9), tzinfo=UTC)
    assert f"{morning:%a} {morning.day} {morning:%b}, 09:00 (UTC)" in answer
    [concern] = await rows(bot, AnonymousConcern)
    assert concern.raised_on == raised.date() and concern.told_at is None
    assert await count(bot, MetricConcern) == 0
    # Nothing reaches a lead while its arrival could tell when it was typed.
    await bot.tick(morning - timedelta(minutes=1))
    assert bot.port.to("@U1") == [] and bot.port.to("@U2") == []
    await bot.tick(morning)
    for lead in ("@U1", "@U2"):
        [sent] = bot.port.to(lead)
        assert "Handle time" in sent.reply.text
        assert "U7" not in sent.reply.text
    await bot.tick(morning + timedelta(days=1))
    assert len(bot.port.to("@U1")) == 1


async def test_named_concern_says_who_raised_it(bot):
    await bot.say("/okr team create Support")
    await bot.say("/okr concern Tickets closed: people split tickets to look busy", user="U7")
    await bot.deliver()
    [sent] = bot.port.to("@U1")
    assert shows(sent.reply.text, concern_texts.for_leads, "Support", ANY, "U7")


async def test_on_slack_a_plain_name_never_becomes_a_lead(bot):
    async def on_slack(text):
        event = bot.event(EventKind.COMMAND, text=text, workspace="T1")
        outcome = await bot.send(replace(event, platform=SLACK))
        return outcome.replies[0].text

    await on_slack("/okr team create Checkout")
    assert texts.LEAD_USAGE in await on_slack("/okr team lead Grace")
    assert texts.lead_added("Checkout", "U2") in await on_slack("/okr team lead <@U2|bea>")
    async with bot.app.sessions() as session:
        team = await session.scalar(select(Team))
        assert sorted(lead.user_id for lead in team.leads) == ["U1", "U2"]
