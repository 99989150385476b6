"""Bad input of every kind gets a clear private answer and changes nothing."""

import pytest
from sqlalchemy import select

from bot.events import EventKind
from bot.replies import Visibility
from retrospectives import texts
from storage.core import Team
from storage.okr import KeyResult, LearningStory, MetricConcern
from storage.outbox import OutboxMessage
from tests.support.rows import count
from tests.support.transcripts import ANY, shows


async def totals(bot):
    return [
        await count(bot, model)
        for model in (Team, KeyResult, LearningStory, MetricConcern, OutboxMessage)
    ]


@pytest.fixture
async def team(bot):
    await bot.say("/okr team create Checkout")
    return bot


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("/okr frobnicate", texts.UNKNOWN_OKR),
        ("/okr team", texts.UNKNOWN_OKR),
        ("/story", texts.UNKNOWN_STORY),
        ("/story poem roses are red", texts.UNKNOWN_STORY),
        ("/story learning", None),  # opens the form: not an error, and nothing stored
        ("/story impact    ", None),
        ("/okr kr add", texts.KR_EMPTY),
        ("/okr team lead", texts.LEAD_USAGE),
        ("/okr team lead <#C2>", texts.LEAD_USAGE),
        ("/okr concern", texts.CONCERN_USAGE),
        ("/okr concern just words", texts.CONCERN_USAGE),
        ("/story learning result: sort of", texts.unknown_result("sort of")),
    ],
)
async def test_commands_that_cannot_be_understood_get_a_hint(team, line, hint):
    before = await totals(team)
    outcome = await team.send(team.event(EventKind.COMMAND, text=line))
    assert outcome.replies
    assert all(r.visibility is Visibility.PRIVATE for r in outcome.replies)
    if hint is not None:
        assert hint in outcome.replies[0].text
    assert await totals(team) == before


async def test_a_direct_message_that_is_not_a_command_gets_a_hint(bot):
    answer = await bot.say("hello there", channel="D1", direct=True)
    assert "/okr help" in answer


async def test_channel_chatter_is_none_of_the_bots_business(bot):
    assert await bot.say("lunch anyone?") == ""


async def test_a_ten_thousand_character_story_is_refused(team):
    before = await totals(team)
    answer = await team.say("/story learning " + "x" * 10_000)
    # The router's own limit on any message, before the domain's on a story.
    assert "10,016 characters" in answer and "4,000" in answer
    answer = await team.say("/story learning " + "y" * 3_500)
    assert shows(answer, texts.story_too_long, 3_500, ANY)
    assert await totals(team) == before


async def test_a_form_with_an_oversized_part_is_refused_inline(team):
    outcome = await team.submit("story_learning", {"hypothesis": "h", "learned": "z" * 5000})
    assert set(outcome.form_errors) == {"learned"}
    assert await totals(team) == [1, 0, 0, 0, 0]


async def test_sql_and_markup_are_kept_verbatim_as_text(team):
    nasty = "'; DROP TABLE learning_story; -- <!channel> <@U2> *bold* &amp; `code`"
    answer = await team.say(f"/story learning {nasty}")
    assert answer == texts.learning_saved("Checkout", invalidated=False)
    async with team.app.sessions() as session:
        story = await session.scalar(select(LearningStory))
    assert story.text == nasty


async def test_another_workspaces_team_cannot_be_used(bot):
    await bot.say("/okr team create Payments", workspace="W1", channel="C1")
    answer = await bot.say(
        "/story learning learned: x | team: Payments", workspace="W2", channel="C5"
    )
    assert texts.no_team_named("Payments") in answer
    answer = await bot.say("/okr kr add Steal their KR", workspace="W2", channel="C1")
    assert texts.NO_TEAM_HERE in answer
    assert await totals(bot) == [1, 0, 0, 0, 0]


async def test_a_form_that_no_one_knows_has_expired(bot):
    outcome = await bot.submit("no_such_form", {"a": "b"})
    assert "expired" in outcome.replies[0].text


async def test_unknown_buttons_and_unknown_events_answer_nothing(bot):
    assert (await bot.send(bot.event(EventKind.BUTTON, action_id="zzz"))).replies == ()
    assert (await bot.send(bot.event(EventKind.BUTTON, action_id="story.zzz"))).replies == ()
    assert (await bot.send(bot.event(EventKind.MEMBER_JOINED))).replies == ()


async def test_the_shortcut_saves_a_message_from_a_team_channel_only(team):
    outcome = await team.send(
        team.event(EventKind.SHORTCUT, target_text="We learned buyers distrust new badges")
    )
    assert outcome.replies[0].text == texts.story_saved_from_message("Checkout")
    outcome = await team.send(team.event(EventKind.SHORTCUT, target_text="   "))
    assert outcome.replies[0].text == texts.SHORTCUT_EMPTY
    async with team.app.sessions() as session:
        [story] = (await session.scalars(select(LearningStory))).all()
    assert story.source.value == "shortcut"
