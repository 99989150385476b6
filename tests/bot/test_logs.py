"""The redacting filter: what an SDK logs reaches the operator without the secrets in it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.entry import logs

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger like an SDK's, whose records go to a handler set up as the CLI sets up stderr."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logs.install([SIGNING_SECRET, "pw"], handlers=[handler])
    logs.install([SIGNING_SECRET], handlers=[handler])  # a second set-up adds nothing
    root = logging.getLogger("okrbot-test-root")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield logging.getLogger("okrbot-test-root.slack_sdk.web"), out
    finally:
        root.removeHandler(handler)


def test_a_token_in_a_response_body_is_redacted_and_the_rest_kept(written) -> None:
    logger, out = written
    body = {"ok": True, "access_token": "xoxb-1-2-secret", "team": {"id": "T9"}}
    logger.debug("Received the following response - status: %s, body: %s", 200, body)
    line = out.getvalue()
    assert "xoxb-1-2-secret" not in line
    assert "'access_token': '[redacted]'" in line
    assert "status: 200" in line and "'id': 'T9'" in line


@pytest.mark.parametrize(
    "message",
    [
        "headers: {'Authorization': 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln'}",
        "Authorization: Basic MTExLjIyMjpjbGllbnQtc2VjcmV0",
        "socket url wss://wss.slack.com/link/?ticket=1&app_id=xapp-1-A1-22-abc",
        "GET /slack/oauth_redirect?code=4711.0815&state=s1",
        "form client_secret=3c59dc048e8850243be8079a5c74d079&grant_type=x",
        "sealed gAAAAABnZXRoZXJzb21ldGhpbmdsb25nZXJoZXJlMTIz==",
        f"verifying with {SIGNING_SECRET}",
        '{"password": "Zq8~pL2.vN4_kR6"}',
    ],
)
def test_every_shape_of_secret_is_redacted(written, message: str) -> None:
    logger, out = written
    logger.info(message)
    line = out.getvalue()
    assert "[redacted]" in line
    for secret in ("eyJhbGci", "MTExLjIy", "xapp-1", "4711", "3c59dc", "gAAAAAB", "Zq8~"):
        assert secret not in line
    assert SIGNING_SECRET not in line


def test_an_exception_quoting_a_token_is_redacted(written) -> None:
    logger, out = written
    try:
        raise RuntimeError("The request to chat.postMessage with token xoxb-9-9-secret failed")
    except RuntimeError:
        logger.warning("delivery failed", exc_info=True)
    line = out.getvalue()
    assert "delivery failed" in line and "RuntimeError" in line and "chat.postMessage" in line
    assert "xoxb-9-9-secret" not in line


def test_a_short_configured_value_is_not_taken_for_a_secret(written) -> None:
    logger, out = written
    logger.info("a pwned pw word")  # "pw" is too short to redact without eating words
    assert "a pwned pw word" in out.getvalue()


def test_arguments_that_do_not_fit_their_message_do_not_break_the_caller(written) -> None:
    logger, out = written
    logger.info("one %s, two %s", "xoxb-1-2-secret")
    assert "one %s, two %s" in out.getvalue() and "xoxb-1-2-secret" not in out.getvalue()
