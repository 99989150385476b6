"""The keys that seal platform tokens at rest, and rotating them.

``OKRBOT_SECRET_KEY`` holds one key, or several separated by commas, newest first: tokens are
sealed with the first and read with any (cryptography's MultiFernet), so a new key can be put
in front while tokens sealed with the old one still work. ``rotate`` then re-seals every stored
token with the newest key, after which the old one can go. Each key is turned into a Fernet key
with scrypt, so a passphrase works as well as a random key; that costs a noticeable moment, so
it is done once per key and process. Nothing here logs a token, only which installation.
cryptography is loaded the first time a key is used (about 7 MB a deployment with one bot token
and no key never needs).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import installations

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

log = logging.getLogger(__name__)

# A fixed salt: the key is per deployment already, and every replica must derive the same one.
_SALT = b"okrbot/slack-installations/v1"
BATCH = 100


class MissingSecretKey(RuntimeError):
    """Tokens are only stored encrypted, and there is no key to encrypt them with."""


def secret_keys(secret_key: str) -> tuple[str, ...]:
    """The keys of a comma-separated ``OKRBOT_SECRET_KEY``, newest first."""
    return tuple(key.strip() for key in secret_key.split(",") if key.strip())


@lru_cache(maxsize=16)
def derived(key: str) -> Fernet:
    """Derive one key's Fernet key (scrypt, n=2**15), once per process."""
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    material = Scrypt(salt=_SALT, length=32, n=2**15, r=8, p=1).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(material))


def fernet_for(secret_key: str) -> MultiFernet:
    """Seal with the newest key of ``secret_key``; unseal with whichever of its keys sealed."""
    from cryptography.fernet import MultiFernet

    keys = secret_keys(secret_key)
    if not keys:
        raise MissingSecretKey("set OKRBOT_SECRET_KEY to store Slack tokens")
    if len(keys) > 1:  # before keys were listed, a passphrase with a comma was one key: read it
        keys += (secret_key.strip(),)
    return MultiFernet([derived(key) for key in keys])


def readable(sealed: str, secret_key: str) -> bool:
    """Whether some key of ``secret_key`` can unseal ``sealed``."""
    from cryptography.fernet import InvalidToken

    try:
        fernet_for(secret_key).decrypt(sealed.encode())
    except InvalidToken:
        return False
    return True


def unreadable_warning(installation_key: str) -> str:
    return (
        f"the Slack installation {installation_key} cannot be decrypted with any key of "
        "OKRBOT_SECRET_KEY: okrbot cannot act in it until the key that sealed it is added to "
        "OKRBOT_SECRET_KEY again, or the app is installed there again"
    )


def unreadable_detail(installation_keys: list[str]) -> str:
    """Say which installations no key can read, and what to do, for /readyz."""
    return (
        "Slack installation(s) no key of OKRBOT_SECRET_KEY can decrypt, which okrbot cannot act "
        f"in: {', '.join(installation_keys)} (add the key that sealed them, or reinstall)"
    )


@dataclass
class Rotation:
    """What ``rotate`` did: how many tokens it re-sealed, which installations it could not read."""

    rotated: int = 0
    unreadable: list[str] = field(default_factory=list)


async def rotate(
    sessions: async_sessionmaker[AsyncSession], secret_key: str, *, batch: int = BATCH
) -> Rotation:
    """Re-seal every stored token with the newest key, ``batch`` installations a transaction.

    An installation no key can read is left as it is, logged at ERROR and reported.
    """
    from cryptography.fernet import InvalidToken

    fernet = fernet_for(secret_key)
    done = Rotation()
    after = 0
    while True:
        async with sessions() as session, session.begin():
            rows = await installations.installations_after(
                session, after_id=after, limit=batch, lock=True
            )
            for row in rows:
                try:
                    row.sealed = fernet.rotate(row.sealed.encode()).decode()
                except InvalidToken:
                    log.error(unreadable_warning(row.installation_key))
                    done.unreadable.append(row.installation_key)
                    continue
                done.rotated += 1
        if len(rows) < batch:
            return done
        after = rows[-1].id


async def unreadable(
    sessions: async_sessionmaker[AsyncSession], secret_key: str, *, batch: int = BATCH
) -> list[str]:
    """The installations whose tokens no key of ``secret_key`` can read (nothing is changed)."""
    found: list[str] = []
    after = 0
    while True:
        async with sessions() as session:
            rows = await installations.installations_after(session, after_id=after, limit=batch)
        found += [r.installation_key for r in rows if not readable(r.sealed, secret_key)]
        if len(rows) < batch:
            return found
        after = rows[-1].id
