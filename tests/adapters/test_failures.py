"""One reading of platform answers: Retry-After and what a failure means, Slack's and Teams'."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters import failures
from adapters.slack.client import SlackWeb
from adapters.teams.client import Connectors
from adapters.teams.identity import authentication
from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.teams.fake_connector import FakeConnector


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": ["30", "60"]}, 30.0),
        ({"Retry-After": "-4"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Content-Type": "application/json"}, None),
        (None, None),
    ],
)
def test_retry_after_is_read_alike_from_every_platform(headers, seconds) -> None:
    assert failures.retry_after(headers) == seconds


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (429, {}, RateLimited),
        (503, {"Retry-After": "4"}, RateLimited),
        (412, {"Retry-After": "4"}, RateLimited),
        (503, {}, RetryLater),
        (500, {}, RetryLater),
        (408, {}, RetryLater),
        (401, {}, NotAuthorized),
        (403, {}, DeliveryFailed),
        (404, {}, DeliveryFailed),
        (412, {}, DeliveryFailed),
    ],
)
def test_an_http_status_means_the_same_on_every_platform(status, headers, kind) -> None:
    failure = failures.from_status("post", status, headers)
    assert type(failure) is kind and str(status) in str(failure)


def test_a_rate_limit_is_waited_out_and_trouble_backs_off_up_to_the_longest() -> None:
    told = RateLimited("throttled", 7.0)
    assert failures.pause_before_retry(told, 3, 30.0) == 7.0
    assert failures.pause_before_retry(RateLimited("throttled"), 3, 30.0) == 1.0
    assert [failures.pause_before_retry(RetryLater("503"), n, 5.0) for n in range(5)] == [
        1.0,
        2.0,
        4.0,
        5.0,
        5.0,
    ]
    assert failures.pause_before_retry(DeliveryFailed("gone"), 0, 30.0) is None


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.close()


async def test_a_real_slack_429_comes_out_rate_limited_with_its_retry_after(slack) -> None:
    async def token(_workspace: str) -> str:
        return "xoxb-1"

    web = SlackWeb(token, base_url=slack.api_url)
    slack.rate_limited, slack.retry_after = 1, 7
    try:
        with pytest.raises(RateLimited) as caught:
            await web.call("T1", "chat.postMessage", channel="C1", text="hello")
    finally:
        await web.close()
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("status", [429, 503, 412])
async def test_a_real_teams_throttle_comes_out_rate_limited_with_its_retry_after(
    connector, status
) -> None:
    auth = authentication(app_id="", password="", app_type="", tenant_id="")
    connectors = Connectors(auth, "")
    connector.throttled, connector.throttle_status, connector.retry_after = 1, status, 4
    activity = {"type": "message", "text": "hello"}
    try:
        with pytest.raises(RateLimited) as caught:
            await connectors.call(
                connector.service_url,
                "send_to_conversation",
                lambda c: c.send_to_conversation("a:1chat", activity),
            )
    finally:
        await connectors.close()
    assert caught.value.retry_after == 4.0


async def test_a_real_teams_refusal_is_final(connector) -> None:
    auth = authentication(app_id="", password="", app_type="", tenant_id="")
    connectors = Connectors(auth, "")
    connector.forbidden.add("a:1gone")
    try:
        with pytest.raises(DeliveryFailed) as caught:
            await connectors.call(
                connector.service_url,
                "send_to_conversation",
                lambda c: c.send_to_conversation("a:1gone", {"type": "message", "text": "hi"}),
            )
    finally:
        await connectors.close()
    assert "403" in str(caught.value)
