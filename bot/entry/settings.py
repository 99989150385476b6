"""Settings read from the environment, and from a `.env` file in the working directory."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from dotenv import dotenv_values

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///okrbot.db"
OFF = frozenset({"0", "off", "no", "false"})
T = TypeVar("T", covariant=True)


class Reads(Protocol[T]):
    """A platform's entry, as far as settings go: its name, and how it reads its settings."""

    @property
    def name(self) -> str: ...
    def read(self, values: Mapping[str, str]) -> T: ...


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default="", repr=False)
    outbox_lease_seconds: float = 30.0
    outbox_heartbeat_seconds: float = 0.0  # 0: a third of the lease
    inbox_lease_seconds: float = 15.0  # renewed every third while held
    inbox_worker: bool = True  # False: this process stores and acks events; others handle them
    anonymity_min: int = 3
    retention_days: int = 7
    public_url: str = ""
    privacy_url: str = ""  # the Teams app's privacy link; okrbot's own /privacy when empty
    terms_url: str = ""  # the Teams app's terms link; okrbot's own /terms when empty
    log_format: str = "text"  # or "json": one JSON object per line
    log_level: str = "INFO"
    # Each platform's own settings, by its name, read by its entry (ChatPlatform.read). A
    # platform missing here is read from an empty environment: it is off.
    platforms: Mapping[str, Any] = field(default_factory=dict)

    def of(self, platform: Reads[T]) -> T:
        """The settings of ``platform``, as it read them."""
        found = self.platforms.get(platform.name)
        return cast(T, found) if found is not None else platform.read({})

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The keys of ``OKRBOT_SECRET_KEY``, newest first (several while one is rotated in)."""
        return tuple(key.strip() for key in self.secret_key.split(",") if key.strip())

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: Path | None = Path(".env"),
        platforms: Iterable[Reads[Any]] = (),
    ) -> Settings:
        """Read the core's settings and each platform's; real environment variables win over
        the `.env` file."""
        values = environment(environ, env_file)

        def get(name: str, default: str = "") -> str:
            return values.get(name, "").strip() or default

        return cls(
            database_url=get("OKRBOT_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=get("OKRBOT_SECRET_KEY"),
            outbox_lease_seconds=_seconds(get("OKRBOT_OUTBOX_LEASE_SECONDS"), 30.0),
            outbox_heartbeat_seconds=_seconds(get("OKRBOT_OUTBOX_HEARTBEAT_SECONDS"), 0.0),
            inbox_lease_seconds=_seconds(get("OKRBOT_INBOX_LEASE_SECONDS"), 15.0),
            inbox_worker=get("OKRBOT_INBOX_WORKER", "on").lower() not in OFF,
            # Fewer than three could never keep anyone anonymous: a smaller value is raised.
            anonymity_min=max(3, _whole(get("OKRBOT_ANONYMITY_MIN"), 3)),
            retention_days=max(1, _whole(get("OKRBOT_RETENTION_DAYS"), 7)),
            public_url=get("OKRBOT_PUBLIC_URL"),
            privacy_url=get("OKRBOT_PRIVACY_URL"),
            terms_url=get("OKRBOT_TERMS_URL"),
            log_format=get("OKRBOT_LOG_FORMAT", "text").lower(),
            log_level=get("OKRBOT_LOG_LEVEL", "INFO").upper(),
            platforms={platform.name: platform.read(values) for platform in platforms},
        )


def environment(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    """The variables okrbot reads: the `.env` file's, then the environment's over them."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def _seconds(text: str, default: float) -> float:
    """A positive number of seconds, or the default when it is missing or no such number."""
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default


def _whole(value: str, default: int) -> int:
    """A whole number from the environment, or the default when unset or unreadable."""
    return int(value) if value.isdigit() else default
