"""Who counts as a channel's people, asked of a fake Slack Web API over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.slack.client import SlackWeb
from adapters.slack.directory import PERSON_TTL, SlackDirectory
from bot.ports import RetryLater
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.slack_people import (
    BOT_USER,
    SLACKBOT,
    app_user,
    bot,
    deactivated,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    slack.page_size = 200
    try:
        yield slack
    finally:
        await slack.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def directory(fake: FakeSlack, clock: Clock, **options: int) -> SlackDirectory:
    async def token(_workspace_id: str) -> str:
        return "xoxb-test-token"

    return SlackDirectory(SlackWeb(token, base_url=fake.api_url), monotonic=clock, **options)


def listings(fake: FakeSlack) -> int:
    return len(fake.to("users.list"))


async def test_only_people_are_members(fake: FakeSlack, clock: Clock) -> None:
    fake.members["C1"] = ["U1", BOT_USER, "UDEPLOY", SLACKBOT, "UGONE", "UAPP", "U2", "U1"]
    fake.users = {
        "UDEPLOY": bot("UDEPLOY"),
        "UGONE": deactivated("UGONE"),
        "UAPP": app_user("UAPP"),
    }

    assert await directory(fake, clock).channel_members("T1", "C1") == ["U1", "U2"]
    # The workspace's people came from one users.list call; nobody was asked about alone.
    assert listings(fake) == 1 and fake.looked_up() == []
    assert len(fake.to("auth.test")) == 1


async def test_a_workspace_is_listed_a_page_at_a_time(fake: FakeSlack, clock: Clock) -> None:
    people = [f"U{n:04d}" for n in range(2400)]
    for team in range(300):
        fake.members[f"C{team}"] = [*people[team * 8 : team * 8 + 8], BOT_USER, "UDEPLOY"]
    fake.users = {"UDEPLOY": bot("UDEPLOY"), people[9]: deactivated(people[9])}
    fake.users_page_size = 500  # Slack may answer fewer than the thousand asked
    found = directory(fake, clock)

    # Openings asked at once share one listing.
    answers = await asyncio.gather(*(found.channel_members("T1", f"C{t}") for t in range(8)))
    assert answers[0] == people[:8]
    assert answers[1] == [p for p in people[8:16] if p != people[9]]
    pages = fake.to("users.list")
    assert len(pages) == 5  # 2,402 users, 500 a page
    assert {str(page.arguments["limit"]) for page in pages} == {"1000"}
    assert [bool(page.arguments.get("cursor")) for page in pages] == [False, *[True] * 4]
    for team in range(8, 300):
        await found.channel_members("T1", f"C{team}")
    assert listings(fake) == 5 and fake.looked_up() == []


async def test_a_person_seen_again_costs_no_call(fake: FakeSlack, clock: Clock) -> None:
    fake.members["C1"] = ["U1", "U2", "UDEPLOY"]
    fake.members["C2"] = ["U2", "UDEPLOY", "U3"]
    fake.users = {"UDEPLOY": bot("UDEPLOY")}
    fake.timezones = {"U3": "Asia/Kolkata"}
    people = directory(fake, clock)

    assert await people.channel_members("T1", "C1") == ["U1", "U2"]
    assert await people.channel_members("T1", "C2") == ["U2", "U3"]
    assert await people.user_timezone("T1", "U3") == "Asia/Kolkata"
    assert await people.channel_members("T1", "C1") == ["U1", "U2"]
    assert listings(fake) == 1 and fake.looked_up() == []
    assert len(fake.to("auth.test")) == 1

    clock.now += PERSON_TTL + 1  # a day later, Slack is asked again: people get deactivated
    fake.users["U2"] = deactivated("U2")
    assert await people.channel_members("T1", "C1") == ["U1"]
    assert listings(fake) == 2 and fake.looked_up() == []


async def test_someone_who_joined_since_the_listing_is_asked_alone(
    fake: FakeSlack, clock: Clock
) -> None:
    fake.members["C1"] = ["U1", "U2"]
    people = directory(fake, clock)
    assert await people.channel_members("T1", "C1") == ["U1", "U2"]
    fake.members["C1"] += ["U3", "UDEPLOY"]
    fake.users = {"UDEPLOY": bot("UDEPLOY")}

    assert await people.channel_members("T1", "C1") == ["U1", "U2", "U3"]
    assert listings(fake) == 1  # listed a moment ago: not again for two newcomers
    assert sorted(fake.looked_up()) == ["U3", "UDEPLOY"]


async def test_a_timezone_asked_first_serves_the_opening_too(fake: FakeSlack, clock: Clock) -> None:
    fake.members["C1"] = ["U1", "U2"]
    fake.timezones = {"U1": "Europe/Lisbon"}
    people = directory(fake, clock)

    assert await people.user_timezone("T1", "U1") == "Europe/Lisbon"
    assert await people.channel_members("T1", "C1") == ["U1", "U2"]
    assert listings(fake) == 1 and fake.looked_up() == []


async def test_workspaces_do_not_share_what_they_learn(fake: FakeSlack, clock: Clock) -> None:
    fake.members["C1"] = ["U1"]
    people = directory(fake, clock)
    await people.channel_members("T1", "C1")
    await people.channel_members("T2", "C1")
    assert listings(fake) == 2
    assert len(fake.to("auth.test")) == 2


async def test_the_cache_is_bounded(fake: FakeSlack, clock: Clock) -> None:
    fake.members["C1"] = ["U1", "U2", "U3", "U4"]
    people = directory(fake, clock, limit=3)
    assert await people.channel_members("T1", "C1") == ["U1", "U2", "U3", "U4"]
    # Three kept: the listing's last, then those asked alone as they were let go.
    assert fake.looked_up() == ["U1", "U2", "U3"]
    asked = len(fake.looked_up())
    await people.user_timezone("T1", "U4")  # let go: the listing is not repeated for one person
    assert listings(fake) == 1
    assert len(fake.looked_up()) == asked + 1


async def test_someone_slack_cannot_tell_about_is_asked_as_a_person(
    fake: FakeSlack, clock: Clock
) -> None:
    fake.members["C1"] = ["U1", "U2", "U3"]
    fake.unknown_users = {"U2"}  # not listed, and users.info answers user_not_found
    people = directory(fake, clock)

    assert await people.channel_members("T1", "C1") == ["U1", "U2", "U3"]
    fake.unknown_users.clear()
    fake.users["U2"] = bot("U2")  # what Slack says once it can tell is believed: not kept
    assert await people.channel_members("T1", "C1") == ["U1", "U3"]
    assert fake.looked_up() == ["U2", "U2"]


async def test_without_auth_test_the_bot_user_is_still_left_out(
    fake: FakeSlack, clock: Clock
) -> None:
    fake.members["C1"] = ["U1", BOT_USER]
    fake.budgets["auth.test"] = 0
    assert await directory(fake, clock).channel_members("T1", "C1") == ["U1"]
    assert fake.throttled == 1
    assert listings(fake) == 1 and fake.looked_up() == []


async def test_a_rate_limit_stops_the_look_ups_until_slack_says(
    fake: FakeSlack, clock: Clock
) -> None:
    people_ids = [f"U{n:03d}" for n in range(40)]
    fake.members["C1"] = [*people_ids, "UDEPLOY"]
    fake.users = {"UDEPLOY": bot("UDEPLOY")}
    fake.budgets["users.list"] = 0
    fake.budgets["users.info"] = 10
    fake.retry_after = 20
    people = directory(fake, clock)

    # Nobody is left out of the opening: who was not looked up is asked as a person.
    assert await people.channel_members("T1", "C1") == [*people_ids, "UDEPLOY"]
    asked = len(fake.looked_up()) + fake.throttled
    assert len(fake.looked_up()) == 10
    assert asked < 21  # the refused listing, and what was under way when Slack said stop
    with pytest.raises(RetryLater):
        await people.user_timezone("T1", "U039")
    await people.channel_members("T1", "C1")
    assert len(fake.looked_up()) + fake.throttled == asked  # nothing asked while waiting

    clock.now += 20
    del fake.budgets["users.list"], fake.budgets["users.info"]
    assert await people.channel_members("T1", "C1") == people_ids
    assert listings(fake) == 1 and len(fake.looked_up()) == 10
