"""Fixtures of the tests that serve okrbot over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.server.teams_identity import IdentityDouble


@pytest.fixture
async def double(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[IdentityDouble]:
    """The local identity double, its CA trusted by this process and by the `okrbot serve`
    processes it starts (they inherit the environment)."""
    identity = await IdentityDouble(tmp_path).start()
    identity.trust(monkeypatch)
    try:
        yield identity
    finally:
        await identity.close()
