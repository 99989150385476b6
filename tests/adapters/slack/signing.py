"""Sign requests the way Slack does (v0): HMAC-SHA256 over ``v0:{timestamp}:{body}``."""

from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
