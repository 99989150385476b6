"""Per-channel pacing and how Web API errors are classified, without a network."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.client import classify
from bot.clock import Pacer
from bot.ports import DeliveryFailed, NotAuthorized, RetryLater


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_messages_to_one_channel_are_a_second_apart_and_others_do_not_wait() -> None:
    time = FakeTime()
    pacer = Pacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(3):
        await pacer.wait("T1/C1")
    await pacer.wait("T1/C2")
    assert time.slept == [1.0, 1.0]


def error(status: int, data: dict[str, object], headers: dict[str, str]) -> SlackApiError:
    response = AsyncSlackResponse(
        client=AsyncWebClient(),
        http_verb="POST",
        api_url="http://fake/chat.postMessage",
        req_args={},
        data=data,
        headers=headers,
        status_code=status,
    )
    return SlackApiError("failed", response)


def test_429_means_retry_after_what_slack_says() -> None:
    outcome = classify(error(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}), "m")
    assert isinstance(outcome, RetryLater) and outcome.retry_after == 7


def test_a_missing_channel_is_final_and_a_server_error_is_not() -> None:
    for code in ("channel_not_found", "not_in_channel", "account_inactive"):
        assert isinstance(
            classify(error(200, {"ok": False, "error": code}, {}), "m"), DeliveryFailed
        )
    assert isinstance(classify(error(503, {"ok": False}, {}), "m"), RetryLater)


def test_a_revoked_token_is_told_apart_from_a_missing_channel() -> None:
    for code in ("invalid_auth", "account_inactive", "token_revoked"):
        outcome = classify(error(200, {"ok": False, "error": code}, {}), "m")
        assert isinstance(outcome, NotAuthorized), code
    assert not isinstance(
        classify(error(200, {"ok": False, "error": "channel_not_found"}, {}), "m"), NotAuthorized
    )
