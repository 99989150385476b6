"""What Slack does to an app — bad signatures, retries, junk, floods — over real HTTP."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from adapters.slack import inbound
from storage.okr import LearningStory
from storage.outbox import OutboxMessage, OutboxStatus
from tests.server.rig import SlackRig, view_submission
from tests.server.scraped import value
from tests.support.rows import count


def mention(text: str, *, user: str = "U1", channel: str = "C1") -> dict[str, object]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT0001> {text}",
        "ts": "1700000000.000001",
        "channel": channel,
        "event_ts": "1700000000.000001",
    }


async def test_url_verification_is_answered_with_the_challenge(slack_sqlite: SlackRig) -> None:
    body = json.dumps(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    answer = await slack_sqlite.post(body, "application/json")
    assert answer.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in answer.body


async def test_bad_and_stale_signatures_get_401_and_change_nothing(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    slack.secret = "not-the-secret"
    forged = await slack.command("/story learning forged story")
    slack.secret = "test-signing-secret"
    stale_stamp = str(int(time.time()) - 6 * 60)
    body = "command=%2Fstory&text=learning+stale&team_id=T1&channel_id=C1&user_id=U1"
    stale = await slack.post(body, "application/x-www-form-urlencoded", timestamp=stale_stamp)
    unsigned = await slack.client.post("/slack/events", data=body)
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    assert await count(slack, LearningStory) == 0


async def test_malformed_bodies_are_refused_without_a_crash(slack_sqlite: SlackRig) -> None:
    rig = slack_sqlite
    assert (await rig.post("{not json", "application/json")).status == 400
    assert (await rig.post("payload=%7Bbroken", "application/x-www-form-urlencoded")).status == 400
    odd = await rig.post(json.dumps({"type": "event_callback", "event": "x"}), "application/json")
    assert odd.status == 200, "an event no retry can make readable is ignored, not retried"
    nothing = await rig.post("", "application/x-www-form-urlencoded")
    assert nothing.status in (200, 404)
    assert (await rig.client.get("/healthz")).status == 200
    assert await count(rig, LearningStory) == 0


async def test_a_retried_event_changes_nothing(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    event = mention("story learning hypothesis: a | learned: b")
    first = await slack.event(event, event_id="Ev0001")
    again = await slack.event(event, event_id="Ev0001", retry=1)
    third = await slack.event(event, event_id="Ev0001", retry=2)
    assert (first.status, again.status, third.status) == (200, 200, 200)
    assert await count(slack, LearningStory) == 1


async def test_a_retried_event_that_earned_only_a_reply_is_answered_once(slack: SlackRig) -> None:
    said = {
        "type": "message",
        "channel": "D0001",
        "channel_type": "im",
        "user": "U1",
        "ts": "1700000000.000010",
        "event_ts": "1700000000.000010",
    }
    for number, text in enumerate(("frobnicate the widgets", "story learning learned: b"), 1):
        for retry in (None, 1, 2):
            answer = await slack.event({**said, "text": text}, event_id=f"EvR{number}", retry=retry)
            assert answer.status == 200
        await slack.settle()
        assert len(slack.fake.to("chat.postMessage")) == number  # one answer, not three
    assert await count(slack, LearningStory) == 0  # the story was refused: no team lives here


async def test_a_replayed_command_or_form_changes_nothing(slack: SlackRig) -> None:
    """A signed request sent again within its five minutes (Slack never retries these)."""
    await slack.command("/okr team create Checkout")
    body = urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/story",
            "text": "learning learned: buyers read reviews first",
            "trigger_id": "13345224609.738474920.replayed",
        }
    )
    first = await slack.post(body, "application/x-www-form-urlencoded")
    again = await slack.post(body, "application/x-www-form-urlencoded")
    assert (first.status, again.status) == (200, 200)
    assert await count(slack, LearningStory) == 1

    form = view_submission(
        "story_learning",
        {"hypothesis": "Guest checkout helps", "learned": "It helped returning buyers"},
        metadata='{"channel":"C1","context":""}',
    )
    for _ in range(2):
        assert (await slack.interaction(form)).status == 200
    assert await count(slack, LearningStory) == 2


def test_an_absurd_trigger_id_still_names_a_request_within_the_ledger() -> None:
    key = inbound.replay_key({"trigger_id": "7" * 5000})
    assert key.startswith("trigger:") and len(key) <= 80
    assert key == inbound.replay_key({"trigger_id": "7" * 5000})


async def test_user_text_reaches_slack_escaped(slack_sqlite: SlackRig) -> None:
    rig = slack_sqlite
    await rig.command("/okr team create Checkout")
    await rig.command("/okr team create Payments", user="U2", channel="C2")
    typed = "shoutout Checkout for pairing with us <!channel> &amp; <@U3> until tickets dropped"
    assert (await rig.event(mention(typed, user="U2", channel="C2"), event_id="Ev2")).status == 200
    await rig.settle()
    await rig.deliver()
    sent = rig.fake.all_text()
    assert "pairing with us" in sent, "the shout-out reached Slack"
    assert "<!channel>" not in sent and "<@U3>" not in sent
    assert "&lt;!channel&gt; &amp; &lt;@U3&gt;" in sent


async def test_oversized_text_is_answered_privately_and_stores_nothing(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    answer = await slack.command("/story learning " + "x" * 12_000)
    assert answer.status == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert await count(slack, LearningStory) == 0


async def test_a_direct_message_is_answered_in_the_dm(slack_sqlite: SlackRig) -> None:
    rig = slack_sqlite
    event = {
        "type": "message",
        "channel": "D0001",
        "channel_type": "im",
        "user": "U1",
        "text": "okr help",
        "ts": "1700000000.000009",
        "event_ts": "1700000000.000009",
    }
    assert (await rig.event(event, event_id="EvDM")).status == 200
    await rig.settle()
    (answer,) = rig.fake.to("chat.postMessage")
    assert answer.arguments["channel"] == "D0001"


async def test_a_429_storm_delays_messages_but_drops_none(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    for lead in ("U2", "U3", "U4"):
        await slack.command(f"/okr team lead <@{lead}>")
    await slack.command("/okr concern Handle time: people close tickets early", user="U5")
    slack.fake.rate_limited = 7
    slack.fake.retry_after = 30
    for _ in range(20):
        await slack.deliver()
        slack.clock.advance(timedelta(seconds=31))
    async with slack.server.okrbot.sessions() as session:
        statuses = list(await session.scalars(select(OutboxMessage.status)))
    assert statuses and all(s is OutboxStatus.SENT for s in statuses)
    assert slack.fake.throttled == 7
    leads = {c.arguments["channel"] for c in slack.fake.to("chat.postMessage")}
    assert {"DU1", "DU2", "DU3", "DU4"} <= leads


async def test_a_database_that_is_down_gets_503_so_slack_retries(tmp_path: Path) -> None:
    rig = await SlackRig.start(f"sqlite+aiosqlite:///{tmp_path}/missing/okrbot.db")
    try:
        answer = await rig.command("/okr help")
        event = await rig.event(mention("okr help"), event_id="EvDown")
        ready = await rig.client.get("/readyz")
        assert (answer.status, event.status, ready.status) == (503, 503, 503)
        assert (await rig.client.get("/healthz")).status == 200
        metrics = await rig.client.get("/metrics")  # the counters answer without the database
        text = await metrics.text()
        assert metrics.status == 200
        command = {"platform": "slack", "kind": "command"}
        assert value(text, "okrbot_events_received_total", **command) == 1
        assert value(text, "okrbot_events_failed_total", **command) == 1
        assert value(text, "okrbot_events_handled_total", **command) is None
    finally:
        await rig.close()


async def test_health_metrics_and_no_teams_unless_configured(slack_sqlite: SlackRig) -> None:
    rig = slack_sqlite
    await rig.command("/okr help")
    assert (await rig.client.get("/readyz")).status == 200
    metrics = await rig.client.get("/metrics")
    text = await metrics.text()
    assert metrics.status == 200
    assert value(text, "okrbot_events_handled_total", platform="slack", kind="command") == 1
    assert value(text, "okrbot_outbox_messages", status="pending") == 0
    assert value(text, "okrbot_slack_requests_total", status="200") == 1
    teams = await rig.client.post("/api/messages", json={"type": "message"})
    assert teams.status == 404  # a Slack-only deployment serves no Teams route
    assert (await rig.client.get("/slack/install")).status == 404


async def test_without_a_signing_secret_slack_routes_answer_503(sqlite_url: str) -> None:
    rig = await SlackRig.start(sqlite_url, slack_signing_secret="")
    try:
        assert (await rig.command("/okr help")).status == 503
    finally:
        await rig.close()


async def test_a_modal_with_missing_parts_shows_errors_next_to_them(slack: SlackRig) -> None:
    await slack.command("/okr team create Checkout")
    await slack.command("/story learning")
    await slack.settle()
    (modal,) = slack.fake.to("views.open")
    answer = await slack.interaction(
        view_submission(
            "story_learning",
            {"hypothesis": "Guest checkout helps", "learned": "  "},
            metadata=modal.arguments["view"]["private_metadata"],
        )
    )
    assert answer.status == 200
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"learned": "Please fill this in."},
    }
    assert await count(slack, LearningStory) == 0


async def test_the_home_tab_and_a_joining_member_are_handled(slack_sqlite: SlackRig) -> None:
    rig = slack_sqlite
    home = {
        "type": "app_home_opened",
        "user": "U1",
        "channel": "D1",
        "tab": "home",
        "event_ts": "1700000000.000001",
    }
    joined = {
        "type": "member_joined_channel",
        "user": "U7",
        "channel": "C1",
        "channel_type": "C",
        "team": "T1",
        "event_ts": "1700000000.000002",
    }
    assert (await rig.event(home, event_id="EvHome")).status == 200
    assert (await rig.event(joined, event_id="EvJoin")).status == 200
    metrics = await (await rig.client.get("/metrics")).text()
    handled = "okrbot_events_handled_total"
    assert value(metrics, handled, platform="slack", kind="home_opened") == 1
    assert value(metrics, handled, platform="slack", kind="member_joined") == 1
