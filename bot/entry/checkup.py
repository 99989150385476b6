"""What `okrbot doctor`'s checks found: one finding per line, ok, warning or problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from bot.clock import SystemClock


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    """What one check found, and for a warning or a problem, what to do about it."""

    level: Level
    subject: str
    says: str
    fix: str = ""

    def line(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.level.value:<8} {self.subject}: {self.says}.{fix}"


@dataclass
class Checkup:
    """The findings so far, and the Date headers of the answers that came with them."""

    findings: list[Finding] = field(default_factory=list)
    dates: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def add(self, level: Level, subject: str, says: str, fix: str = "") -> None:
        self.findings.append(Finding(level, subject, says, fix))

    def answered(self, source: str, date_header: str | None) -> None:
        """Keep a peer's Date header (and when it came) to compare this machine's clock with."""
        if date_header and not self.dates:
            try:
                self.dates.append((source, parsedate_to_datetime(date_header), SystemClock().now()))
            except (TypeError, ValueError):
                return
