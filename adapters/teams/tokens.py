"""The Bot Connector's tokens, checked by okrbot itself: asynchronously and bounded in time.

The Microsoft 365 Agents SDK checks a token's signature and audience but looks its keys up at
Microsoft's fixed addresses (so ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` is not honoured),
checks the issuer only when asked, and does not compare the ``serviceurl`` claim with the
activity. The Agents host therefore authenticates with this checker, which does all the Bot
Framework asks of a bot: the signing key from the JWKS the OpenID metadata names (with the
channel among the key's endorsements, when it has any), RS256, the issuer, the audience (the
bot's app id), the expiry with five minutes' leeway, and the ``serviceurl`` claim equal to the
activity's ``serviceUrl``. Keys are fetched with aiohttp on the event loop, with a timeout, and
kept for a day; an unknown key id refetches them at most every five minutes.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

PUBLIC_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
PUBLIC_ISSUER = "https://api.botframework.com"
KEYS_KEPT = 24 * 3600.0
REFETCH_AT_MOST_EVERY = 300.0
LEEWAY = 300


class InvalidToken(Exception):
    """The request carries no token the Bot Framework issued for this bot and activity."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched now (the caller answers 503, the connector retries)."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose tokens are accepted: the bot's app id, from which issuer, keys found where."""

    app_id: str
    issuer: str = PUBLIC_ISSUER
    metadata_url: str = PUBLIC_METADATA_URL


class TokenChecker:
    """Check ``Authorization: Bearer`` tokens of activities sent to this bot."""

    def __init__(self, audience: Audience, *, timeout: float = 10.0) -> None:
        self._audience = audience
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._keys: dict[str, Mapping[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def check(self, header: str, *, service_url: str, channel_id: str) -> dict[str, Any]:
        """The token's claims, or :class:`InvalidToken` / :class:`KeysUnavailable`."""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("no bearer token")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            said = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise InvalidToken("not a JWT") from None
        # A token from another issuer or for another bot is refused before any key is fetched,
        # so that nobody can make okrbot call out by sending one.
        if said.get("iss") != self._audience.issuer or said.get("aud") != self._audience.app_id:
            raise InvalidToken("issued by someone else, or for another bot")
        key = await self._key(str(kid or ""))
        endorsements = key.get("endorsements") or []
        if endorsements and channel_id not in endorsements:
            raise InvalidToken("the signing key is not endorsed for this channel")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                jwt.PyJWK.from_json(json.dumps(key)).key,
                algorithms=["RS256"],
                audience=self._audience.app_id,
                issuer=self._audience.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(type(error).__name__) from None
        if claims.get("serviceurl") != service_url:
            raise InvalidToken("the token does not vouch for this serviceUrl")
        return claims

    async def _key(self, kid: str) -> Mapping[str, Any]:
        async with self._lock:
            now = time.monotonic()
            stale = now - self._fetched_at > KEYS_KEPT
            unknown = kid not in self._keys and now - self._fetched_at > REFETCH_AT_MOST_EVERY
            if stale or unknown:
                self._keys = await self._fetch()
                self._fetched_at = now
        if kid not in self._keys:
            raise InvalidToken("signed by a key the Bot Framework does not publish")
        return self._keys[kid]

    async def _fetch(self) -> dict[str, Mapping[str, Any]]:
        # A context made now reads SSL_CERT_FILE now (a private CA for sovereign or test setups).
        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context())
        try:
            async with aiohttp.ClientSession(timeout=self._timeout, connector=connector) as session:
                metadata = await _json(session, self._audience.metadata_url)
                found = await _json(session, str(metadata["jwks_uri"]))
        except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as error:
            raise KeysUnavailable(type(error).__name__) from None
        return {str(k["kid"]): k for k in found.get("keys", []) if isinstance(k, dict)}


async def _json(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.json(content_type=None)
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    return body
