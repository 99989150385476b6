"""Sign requests the way Slack does (v0): HMAC-SHA256 over ``v0:{timestamp}:{body}``."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: str,
    content_type: str = "application/x-www-form-urlencoded",
    timestamp: str | None = None,
) -> dict[str, str]:
    """The headers of a request Slack signed now (or at ``timestamp``)."""
    stamp = timestamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
    }
