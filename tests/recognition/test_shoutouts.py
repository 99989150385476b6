"""Transcripts: people give teams shout-outs; channels, leads and the database see exactly that."""

from datetime import timedelta

from sqlalchemy import select

import recognition.service
from bot.events import EventKind
from recognition import texts, views
from storage.core import Workspace
from storage.recognition import Behaviour, CoSign, ShoutOut, ShoutOutStatus
from tests.support.rows import count
from tests.support.transcripts import ANY, said, shows

STORY = "paired with us on the refund flow until support could answer refunds alone"
GIVER = {"user": "U9", "channel": "C9"}


async def set_up_teams(bot):
    await bot.say("/okr team create Checkout", channel="C1", user="U1")
    await bot.say("/okr team create Payments", channel="C2", user="U2")
    await bot.say("/okr team create Search", channel="C3", user="U3")


async def posted(bot):
    async with bot.app.sessions() as session:
        found = await session.scalars(
            select(ShoutOut).where(ShoutOut.status == ShoutOutStatus.POSTED).order_by(ShoutOut.id)
        )
        return found.all()


async def command(bot, text, **who):
    return await bot.send(bot.event(EventKind.COMMAND, text=text, **who))


async def press(bot, button, **who):
    return await bot.send(
        bot.event(EventKind.BUTTON, action_id=button.action_id, action_value=button.value, **who)
    )


async def react(bot, message_id, **who):
    return await bot.send(
        bot.event(EventKind.REACTION, reaction="tada", target_message_id=message_id, **who)
    )


async def test_shout_out_by_name_and_channel_reaches_both_channels(bot):
    await set_up_teams(bot)
    answer = await bot.say(f"/shoutout Checkout, #C2 {STORY}", **GIVER)
    assert texts.posted("Checkout and Payments", private=False) in answer
    [shout_out] = await posted(bot)
    assert shout_out.text == STORY
    assert shout_out.behaviour == "helping"
    assert shout_out.giver_id == "U9"
    assert len(shout_out.recipients) == 2

    assert await bot.deliver() == 2
    [checkout] = bot.port.to("C1")
    [payments] = bot.port.to("C2")
    assert checkout.reply.text == texts.announcement("Checkout", "U9", Behaviour.HELPING)
    assert payments.reply.text == texts.announcement("Payments", "U9", Behaviour.HELPING)
    assert checkout.reply.sections[0].text == STORY
    assert not any(ch.isdigit() for ch in checkout.reply.text.replace("U9", ""))
    assert bot.port.to("C3") == []
    assert await bot.deliver() == 0


async def test_slack_channel_mentions_name_the_team_living_there(bot):
    await set_up_teams(bot)
    answer = await bot.say(f"/shoutout <#C3|search-team> {STORY}", **GIVER)
    assert texts.posted("Search", private=False) in answer
    await bot.deliver()
    assert len(bot.port.to("C3")) == 1


async def test_private_shout_out_goes_only_to_the_leads(bot):
    await set_up_teams(bot)
    await bot.say("/okr team lead @U5", channel="C2", user="U2")
    answer = await bot.say(f"/shoutout private Payments {STORY}", **GIVER)
    assert texts.posted("Payments", private=True) in answer
    await bot.deliver()
    assert bot.port.to("C2") == []
    for lead in ("@U2", "@U5"):
        [note] = bot.port.to(lead)
        assert note.reply.text.startswith("A private shout-out to Payments from U9")
        assert note.reply.sections[0].text == STORY
    assert len(bot.port.sent) == 2


async def test_empty_kudos_are_kindly_refused_and_nothing_is_stored(bot):
    await set_up_teams(bot)
    answer = await bot.say("/shoutout Checkout great job!", **GIVER)
    assert shows(answer, texts.too_short, ANY)
    assert shows(await bot.say("/shoutout Checkout", **GIVER), texts.too_short, ANY)
    assert await count(bot, ShoutOut) == 0


async def test_unknown_teams_and_other_workspaces_teams_are_not_found(bot):
    await set_up_teams(bot)
    await bot.say("/okr team create Billing", channel="C5", user="U1", workspace="W2")
    answer = await bot.say(f"/shoutout Billing {STORY}", **GIVER)
    assert texts.unknown_team("Billing") in answer
    assert texts.no_team_in_channel("C5") in await bot.say(f"/shoutout #C5 {STORY}", **GIVER)
    ghosts = await bot.say(f"/shoutout Checkout, Ghosts {STORY}", **GIVER)
    assert texts.unknown_team("Ghosts") in ghosts
    assert await count(bot, ShoutOut) == 0
    await bot.deliver()
    assert bot.port.sent == []


async def test_attainment_language_gets_a_nudge_and_post_anyway_posts_once(bot):
    await set_up_teams(bot)
    text = "we hit 120% of KR2 because they paired with us all week"
    outcome = await command(bot, f"/shoutout Checkout {text}", **GIVER)
    answer = said(outcome)
    assert texts.nudge("120% of KR2") in answer
    assert texts.NUDGE_HINT in answer
    assert await posted(bot) == []
    await bot.deliver()
    assert bot.port.sent == []

    post_anyway = outcome.replies[0].buttons[0]
    assert post_anyway.label == texts.POST_ANYWAY
    assert texts.posted("Checkout", private=False) in said(await press(bot, post_anyway, **GIVER))
    assert texts.ALREADY_POSTED in said(await press(bot, post_anyway, **GIVER))
    [shout_out] = await posted(bot)
    assert shout_out.text == text
    assert await count(bot, ShoutOut) == 1
    assert await bot.deliver() == 1
    [announcement] = bot.port.to("C1")
    assert announcement.reply.sections[0].text == text


async def test_nobody_else_can_post_or_discard_a_draft(bot):
    await set_up_teams(bot)
    outcome = await command(bot, f"/shoutout Checkout they beat the target. {STORY}", **GIVER)
    post_anyway, discard = outcome.replies[0].buttons
    assert texts.DRAFT_GONE in said(await press(bot, post_anyway, user="U8", channel="C9"))
    other_workspace = await press(bot, post_anyway, user="U9", channel="C9", workspace="W2")
    assert texts.DRAFT_GONE in said(other_workspace)
    assert texts.DRAFT_GONE in said(await press(bot, discard, user="U8", channel="C9"))
    assert await posted(bot) == []
    assert texts.DRAFT_DISCARDED in said(await press(bot, discard, **GIVER))
    assert texts.DRAFT_GONE in said(await press(bot, post_anyway, **GIVER))
    assert await count(bot, ShoutOut) == 0


async def test_identical_repeats_are_refused_for_a_day(bot):
    await set_up_teams(bot)
    await bot.say(f"/shoutout Checkout {STORY}", **GIVER)
    again = await bot.say(f"/shoutout checkout {STORY}", **GIVER)
    assert texts.repeated("Checkout") in again
    assert len(await posted(bot)) == 1
    to_both = await bot.say(f"/shoutout Checkout, Payments {STORY}", **GIVER)
    assert texts.posted("Checkout and Payments", private=False) in to_both
    from_another = await bot.say(f"/shoutout Checkout {STORY}", user="U8", channel="C9")
    assert texts.posted("Checkout", private=False) in from_another
    bot.clock.advance(timedelta(hours=25))
    next_day = await bot.say(f"/shoutout Checkout {STORY}", **GIVER)
    assert texts.posted("Checkout", private=False) in next_day
    assert len(await posted(bot)) == 4


async def test_a_reaction_co_signs_once_and_the_givers_own_does_not_count(bot):
    await set_up_teams(bot)
    await bot.say(f"/shoutout Checkout {STORY}", **GIVER)
    await bot.deliver()
    [announcement] = bot.port.to("C1")
    for who in ("U5", "U5", "U9"):
        outcome = await react(bot, announcement.message_id, user=who, channel="C1")
        assert outcome.replies == () and outcome.deliveries == ()
    await react(bot, announcement.message_id, user="U6", channel="C1", workspace="W2")
    await react(bot, "m-not-ours", user="U7", channel="C1")
    async with bot.app.sessions() as session:
        co_signs = (await session.scalars(select(CoSign))).all()
    assert [c.user_id for c in co_signs] == ["U5"]


async def test_recognising_your_own_team_is_refused_with_a_suggestion(bot):
    await set_up_teams(bot)
    as_lead = await bot.say(f"/shoutout Checkout {STORY}", user="U1", channel="C9")
    assert texts.own_team("Checkout") in as_lead
    in_its_channel = await bot.say(f"/shoutout Payments, Checkout {STORY}", user="U7", channel="C1")
    assert texts.own_team("Checkout") in in_its_channel
    assert await count(bot, ShoutOut) == 0
    elsewhere = await bot.say(f"/shoutout Payments {STORY}", user="U1", channel="C1")
    assert texts.posted("Payments", private=False) in elsewhere


async def test_the_form_opens_and_shows_problems_next_to_their_inputs(bot):
    await set_up_teams(bot)
    opened = await command(bot, "/shoutout", **GIVER)
    shown = opened.replies[0].form
    assert shown.form_id == "shoutout"
    assert shown.context == "C9"
    assert [i.name for i in shown.inputs] == ["teams", "behaviour", "narrative", "private"]

    unknown = await bot.submit("shoutout", {"teams": "Ghosts", "narrative": STORY}, **GIVER)
    assert set(unknown.form_errors) == {"teams"}
    short = await bot.submit("shoutout", {"teams": "Checkout", "narrative": "nice!"}, **GIVER)
    assert set(short.form_errors) == {"narrative"}
    huge = await bot.submit("shoutout", {"teams": "Checkout", "narrative": "x " * 5000}, **GIVER)
    assert shows(huge.form_errors["narrative"], texts.too_long, ANY, 2000)
    own = await bot.submit("shoutout", {"teams": "Checkout", "narrative": STORY}, user="U1")
    assert texts.own_team("Checkout") in own.form_errors["teams"]
    assert await count(bot, ShoutOut) == 0

    values = {"teams": "#C2", "behaviour": "learning", "narrative": STORY, "private": "no"}
    saved = await bot.submit("shoutout", values, **GIVER)
    assert texts.posted("Payments", private=False) in said(saved)
    assert saved.form_errors == {}
    [shout_out] = await posted(bot)
    assert shout_out.behaviour == "learning"


async def test_ten_thousand_characters_are_refused_cleanly(bot):
    await set_up_teams(bot)
    answer = await bot.say("/shoutout Checkout " + "they helped " * 900, **GIVER)
    assert "characters long" in answer  # the router's own limit, before the domain's
    assert await count(bot, ShoutOut) == 0


async def test_mentions_and_sql_are_stored_and_announced_verbatim(bot):
    await set_up_teams(bot)
    text = "<!channel> Robert'); DROP TABLE shout_out;-- *bold* & <@U1> helped us ship safely"
    assert texts.posted("Checkout", private=False) in await bot.say(
        f"/shoutout Checkout {text}", **GIVER
    )
    [shout_out] = await posted(bot)
    assert shout_out.text == text
    await bot.deliver()
    [announcement] = bot.port.to("C1")
    assert announcement.reply.sections[0].text == text


async def test_leads_read_received_shout_outs_in_the_digest(bot):
    await set_up_teams(bot)
    await bot.say(f"/shoutout Checkout {STORY}", **GIVER)
    await bot.say(f"/shoutout private Checkout they ran a careful experiment {STORY}", **GIVER)
    digest = await bot.say("/okr digest", user="U1", channel="C1")
    assert "Shout-outs Checkout received" in digest
    assert f"From U9, for helping another team: {STORY}" in digest
    assert "(private, for leads)" in digest


async def test_leads_see_coverage_as_narrative_about_teams(bot):
    await set_up_teams(bot)
    bot.clock.advance(timedelta(weeks=5))
    await bot.say(f"/shoutout Checkout {STORY}", **GIVER)
    await bot.say(f"/shoutout Checkout they {STORY}", user="U2", channel="C2")
    await bot.say(f"/shoutout Payments they {STORY}", user="U1", channel="C1")
    now = bot.clock.now()
    async with bot.app.sessions() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.external_id == "W1"))
        coverage = await recognition.service.coverage(
            session,
            workspace_id=workspace.id,
            since=now - recognition.service.QUIET_PERIOD,
            now=now,
        )
    assert coverage.quiet_teams == ("Search",)
    assert coverage.cross_team_share == 1.0
    assert coverage.givers == 3
    digest = await bot.say("/okr digest", user="U1", channel="C1")
    assert views.coverage_text(coverage) in digest
