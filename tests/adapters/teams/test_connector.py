"""Pacing and the reading of Bot Connector failures, without a network."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from adapters.failures import retry_after
from adapters.teams.client import classify, patiently
from bot.clock import Pacer
from bot.ports import DeliveryFailed, NotAuthorized, RateLimited, RetryLater


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class ConnectorError(Exception):
    def __init__(self, response: Answer | None) -> None:
        super().__init__("connector said no")
        self.response = response


def test_429_is_retried_after_what_the_connector_asks() -> None:
    error = classify(ConnectorError(Answer(429, {"Retry-After": "12"})), "send_to_conversation")
    assert isinstance(error, RetryLater) and error.retry_after == 12.0


@pytest.mark.parametrize("status", [500, 502, 503, 408])
def test_server_trouble_is_retried(status: int) -> None:
    assert isinstance(classify(ConnectorError(Answer(status)), "post"), RetryLater)


@pytest.mark.parametrize("status", [400, 403, 404, 413])
def test_refusals_are_final(status: int) -> None:
    error = classify(ConnectorError(Answer(status)), "post")
    assert isinstance(error, DeliveryFailed) and str(status) in str(error)


def test_no_answer_at_all_is_retried() -> None:
    assert isinstance(classify(ConnectionRefusedError(), "post"), RetryLater)
    assert isinstance(classify(ConnectorError(None), "post"), RetryLater)


def test_a_retry_after_that_is_no_number_is_ignored() -> None:
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after(None) is None


async def test_seven_messages_a_second_per_conversation() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    pacer = Pacer(1 / 7, monotonic=lambda: now[0], sleep=sleep)
    for _ in range(3):
        await pacer.wait("a:1chat")
    await pacer.wait("19:another@thread.tacv2")  # other conversations do not wait
    assert slept == [round(1 / 7, 6), round(2 / 7, 6)]


@pytest.mark.parametrize("status", [429, 503, 412])
def test_throttling_with_a_retry_after_only_delays(status: int) -> None:
    error = classify(ConnectorError(Answer(status, {"Retry-After": "4"})), "post")
    assert isinstance(error, RateLimited) and error.retry_after == 4.0


def test_412_without_a_retry_after_is_final_and_401_is_the_credentials() -> None:
    assert isinstance(classify(ConnectorError(Answer(412)), "post"), DeliveryFailed)
    assert isinstance(classify(ConnectorError(Answer(401)), "post"), NotAuthorized)


async def test_a_throttled_reply_in_a_turn_waits_as_asked_then_goes() -> None:
    waits: list[float] = []
    answers = [Answer(429, {"Retry-After": "2"}), Answer(503), None]

    async def send() -> str:
        answer = answers.pop(0)
        if answer is not None:
            raise ConnectorError(answer)
        return "sent"

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    assert await patiently(send, sleep=sleep) == "sent"
    assert waits == [2.0, 2.0]  # what Teams said, then a backoff after the 503


async def test_a_reply_refused_for_good_is_not_tried_again() -> None:
    tries: list[int] = []

    async def send() -> str:
        tries.append(1)
        raise ConnectorError(Answer(403))

    with pytest.raises(ConnectorError):
        await patiently(send)
    assert len(tries) == 1
