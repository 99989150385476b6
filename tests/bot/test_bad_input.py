"""Bad input of every kind gets a clear private answer and changes nothing."""

import pytest
from sqlalchemy import select

from bot.events import EventKind
from bot.replies import Visibility
from storage.core import Team
from storage.ledger import OutboxMessage
from storage.okr import KeyResult, LearningStory, MetricConcern
from tests.support.rows import count


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
        ("/okr frobnicate", "/okr help"),
        ("/okr team", "/okr help"),
        ("/story", "/story learning"),
        ("/story poem roses are red", "/story learning"),
        ("/story learning", None),  # opens the form: not an error, and nothing stored
        ("/story impact    ", None),
        ("/okr kr add", "key result itself"),
        ("/okr team lead", "Say who"),
        ("/okr team lead <#C2>", "Say who"),
        ("/okr concern", "Name the metric"),
        ("/okr concern just words", "Name the metric"),
        ("/story learning result: sort of", "validated, invalidated or inconclusive"),
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
    assert "10,016 characters" in answer and "4,000" in answer
    answer = await team.say("/story learning " + "y" * 3_500)
    assert "3,500 characters" in answer
    assert await totals(team) == before


async def test_a_form_with_an_oversized_part_is_refused_inline(team):
    outcome = await team.submit("story_learning", {"hypothesis": "h", "learned": "z" * 5000})
    assert set(outcome.form_errors) == {"learned"}
    assert await totals(team) == [1, 0, 0, 0, 0]


async def test_sql_and_markup_are_kept_verbatim_as_text(team):
    nasty = "'; DROP TABLE learning_story; -- <!channel> <@U2> *bold* &amp; `code`"
    answer = await team.say(f"/story learning {nasty}")
    assert "Saved your learning story" in answer
    async with team.app.sessions() as session:
        story = await session.scalar(select(LearningStory))
    assert story.text == nasty


async def test_another_workspaces_team_cannot_be_used(bot):
    await bot.say("/okr team create Payments", workspace="W1", channel="C1")
    answer = await bot.say(
        "/story learning learned: x | team: Payments", workspace="W2", channel="C5"
    )
    assert "no team called Payments" in answer
    answer = await bot.say("/okr kr add Steal their KR", workspace="W2", channel="C1")
    assert "No team lives in this conversation" in answer
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
    assert "Saved that message as a learning story for Checkout" in outcome.replies[0].text
    outcome = await team.send(team.event(EventKind.SHORTCUT, target_text="   "))
    assert "no text" in outcome.replies[0].text
    async with team.app.sessions() as session:
        [story] = (await session.scalars(select(LearningStory))).all()
    assert story.source.value == "shortcut"
