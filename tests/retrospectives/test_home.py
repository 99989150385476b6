"""A person's home with the bot: teams, open questions, recent learning, and the way in."""

from bot.events import EventKind
from retrospectives import texts
from tests.support.transcripts import ANY, said, shows


async def home(bot, user="U1"):
    return await bot.send(bot.event(EventKind.HOME_OPENED, user=user, channel=f"D{user}"))


async def test_someone_new_is_told_how_teams_work(bot):
    text = said(await home(bot, user="U9"))
    assert texts.HOME_NO_TEAMS in text
    assert texts.HOME_TELL_LEARNING in text


async def test_home_lists_teams_open_questions_and_recent_learning(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/story learning learned: trust beats brevity", user="U2")
    await bot.say("/retro start")
    await bot.tick()
    outcome = await home(bot, user="U2")
    text = said(outcome)
    assert "Checkout" in text and texts.HOME_LEAD_MARK.strip() not in text
    assert shows(text, texts.home_retro, ANY, "Checkout", ANY, 5)
    assert "trust beats brevity" in text
    labels = [b.action_id for b in outcome.replies[0].buttons]
    assert labels == [
        "story.open_learning",
        "story.open_impact",
        "shoutout.open_form",
        "retro.answer_form",
    ]
    assert texts.HOME_LEAD_MARK.strip() in said(await home(bot, user="U1"))


async def test_home_buttons_open_their_forms(bot):
    for action, form_id in [
        ("story.open_learning", "story_learning"),
        ("story.open_impact", "story_impact"),
        ("shoutout.open_form", "shoutout"),
    ]:
        outcome = await bot.send(bot.event(EventKind.BUTTON, action_id=action))
        assert outcome.replies[0].form.form_id == form_id
