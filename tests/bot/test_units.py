"""One transaction per event: retries change nothing, refusals change nothing."""

from dataclasses import replace

from sqlalchemy import select

from adapters.slack.settings import SLACK
from bot.events import EventKind
from retrospectives import texts
from storage.core import Team, Workspace
from storage.ledger import ProcessedEvent
from storage.okr import LearningStory
from storage.outbox import OutboxMessage
from tests.support.rows import count


async def test_a_retried_event_changes_nothing(bot):
    await bot.say("/okr team create Checkout")
    event = bot.event(EventKind.COMMAND, text="/story learning learned: fees confuse people")
    first = await bot.send(event)
    assert first.replies
    again = await bot.send(replace(event, occurred_at=bot.clock.now()))
    assert again.replies == ()
    assert await count(bot, LearningStory) == 1
    assert await count(bot, ProcessedEvent) == 2


async def test_the_same_event_id_on_another_platform_is_another_event(bot):
    await bot.say("/okr team create Checkout")
    event = bot.event(EventKind.COMMAND, text="/okr kr add Completion 70%")
    await bot.send(event)
    other = replace(event, platform=SLACK, workspace_id="T1", text="/okr help")
    assert (await bot.send(other)).replies
    assert await count(bot, ProcessedEvent) == 3


async def test_a_refused_event_changes_nothing_and_is_answered_once(bot):
    event = bot.event(
        EventKind.COMMAND, text="/story learning learned: fees confuse people", workspace="W9"
    )
    first = await bot.send(event)
    assert texts.NO_TEAM_HERE in str(first.replies)
    # Not even the new workspace's row survives the refusal; only the event's id is kept...
    assert await count(bot, Workspace) == 0
    assert await count(bot, ProcessedEvent) == 1
    # ...so that the platform's retry of it is not answered a second time.
    again = await bot.send(replace(event, occurred_at=bot.clock.now()))
    assert again.replies == ()
    assert await count(bot, Workspace) == 0


async def test_deliveries_are_written_with_the_event_and_sent_once(bot):
    await bot.say("/okr team create Support")
    await bot.say("/okr concern Handle time: tickets closed early")
    assert await count(bot, OutboxMessage) == 1
    assert await bot.deliver() == 1
    assert await bot.deliver() == 0
    assert len(bot.port.sent) == 1


async def test_events_of_two_teams_stay_in_their_workspaces(bot):
    await bot.say("/okr team create Checkout", workspace="W1", channel="C1")
    await bot.say("/okr team create Checkout", workspace="W2", channel="C1")
    async with bot.app.sessions() as session:
        teams = (await session.scalars(select(Team))).all()
    assert len({t.workspace_id for t in teams}) == 2


async def test_only_an_event_that_leaves_work_for_now_wakes_the_loops(bot):
    # serve's loops (due runs, then the outbox) are woken by an event that wrote messages or a
    # run due now; a story told, a refusal or a retry leaves them to their interval.
    woken: list[str] = []
    bot.app.handle.on_committed = lambda: woken.append("woken")
    await bot.say("/okr team create Checkout")
    await bot.say("/story learning learned: fees confuse people")
    await bot.say("/story learning learned: fees confuse people", workspace="W9")  # refused
    assert woken == []
    await bot.say("/okr concern Handle time: people rush calls")  # the lead is told, by DM
    assert woken == ["woken"]
    await bot.say("/retro start")  # an opening due now
    assert woken == ["woken", "woken"]
