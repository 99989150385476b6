"""Bearer tokens shaped like the Bot Framework's, each signed by a key made for the test."""

from __future__ import annotations

import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

APP_ID = "00000000-0000-0000-0000-0000000a99id"


def signed_token(service_url: str, *, issuer: str, key_id: str) -> str:
    """An RS256 token for okrbot's app id and ``service_url``, valid for the next hour."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id})


def forged_token(service_url: str) -> str:
    """A token signed by a key Microsoft never issued, from an issuer it does not use."""
    return signed_token(
        service_url,
        issuer="https://sts.windows.net/f0rged00-0000-0000-0000-000000000000/",
        key_id="forged-key-1",
    )


def channel_token(service_url: str) -> str:
    """A token the Bot Framework channel would send, signed by a key the server must fetch."""
    return signed_token(
        service_url, issuer="https://api.botframework.com", key_id="key-never-fetched"
    )
