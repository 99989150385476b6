"""Slack's published example of a signed request, checked by our signer and by slack_sdk's."""

from __future__ import annotations

from slack_sdk.signature import Clock, SignatureVerifier

from tests.adapters.slack.signing import signature

# From Slack's "Verifying requests from Slack" documentation.
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TIMESTAMP = "1531420618"
BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121"
    ".803a0bc887a14d10d2c447fce8b6703c"
)
EXPECTED = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class At(Clock):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def now(self) -> float:
        return self.seconds


def test_our_signer_reproduces_slacks_example() -> None:
    assert signature(SECRET, TIMESTAMP, BODY) == EXPECTED


def test_the_verifier_bolt_uses_accepts_it_and_refuses_stale_or_altered_requests() -> None:
    fresh = SignatureVerifier(SECRET, clock=At(1531420618 + 60))
    assert fresh.is_valid(BODY, TIMESTAMP, EXPECTED)
    assert not fresh.is_valid(BODY + "&x=1", TIMESTAMP, EXPECTED)
    stale = SignatureVerifier(SECRET, clock=At(1531420618 + 60 * 5 + 1))
    assert not stale.is_valid(BODY, TIMESTAMP, EXPECTED)
