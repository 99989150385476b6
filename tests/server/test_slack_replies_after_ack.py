"""Replies sent after an ack (DMs, ephemerals, modals, response URLs) outlast a 429 storm."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.answers import Call, Via
from adapters.slack.listeners import carry_out
from tests.server.rig import SlackRig
from tests.server.test_slack_http import mention


def direct_message(text: str) -> dict[str, object]:
    return {
        "type": "message",
        "channel": "D0001",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "ts": "1700000000.000009",
        "event_ts": "1700000000.000009",
    }


async def test_replies_after_acks_wait_out_a_429_storm_and_arrive_once(
    slack_sqlite: SlackRig,
) -> None:
    rig = slack_sqlite
    await rig.command("/okr team create Checkout")
    await rig.settle()
    before = len(rig.fake.calls)
    rig.fake.rate_limited, rig.fake.retry_after = 12, 0  # twelve 429s in a row
    assert (await rig.event(direct_message("okr help"), event_id="EvDM")).status == 200
    assert (await rig.event(mention("okr help"), event_id="EvMention")).status == 200
    assert (await rig.command("/story learning")).status == 200
    await rig.settle()
    assert rig.fake.throttled == 12
    made = rig.fake.calls[before:]
    assert [c.arguments["channel"] for c in made if c.method == "chat.postMessage"] == ["D0001"]
    assert len([c for c in made if c.method == "chat.postEphemeral"]) == 1
    assert len([c for c in made if c.method == "views.open"]) == 1


async def test_a_response_url_answer_waits_out_its_429s(slack_sqlite: SlackRig) -> None:
    fake = slack_sqlite.fake
    fake.responses_rate_limited, fake.retry_after = 3, 0
    answer = Call(Via.RESPOND, {"response_type": "ephemeral", "text": "your story is saved"})
    respond = AsyncRespond(response_url=fake.response_url("story"))
    await carry_out((answer,), AsyncWebClient(base_url=fake.api_url), respond, "U1")
    assert fake.throttled == 3
    [made] = fake.to("response_url")
    assert made.arguments["text"] == "your story is saved"


async def test_a_reply_waits_as_long_as_slack_says_and_no_longer_than_its_patience(
    slack_sqlite: SlackRig,
) -> None:
    fake = slack_sqlite.fake
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    fake.responses_rate_limited, fake.retry_after = 2, 7
    answer = Call(Via.RESPOND, {"text": "hello"})
    respond = AsyncRespond(response_url=fake.response_url("patient"))
    client = AsyncWebClient(base_url=fake.api_url)
    await carry_out((answer,), client, respond, "U1", sleep=sleep)
    assert waited == [7.0, 7.0] and len(fake.to("response_url")) == 1

    fake.responses_rate_limited, fake.retry_after = 100, 30
    await carry_out((answer,), client, respond, "U1", patience=60, sleep=sleep)
    assert len(fake.to("response_url")) == 1  # given up after what the patience allowed
    assert waited[2:] == [30.0, 30.0]  # sixty seconds of waiting, then no more
