"""Export a deployment's records as JSON Lines, for the admins who own the data.

Memory stays flat whatever the volume: storage.bulk reads each table a page at a time.
What each record holds, and how anonymous ones are kept from pointing back at anyone, is in
bot.admin.records.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admin import records
from storage import bulk

Record = dict[str, Any]
Source = Callable[[AsyncSession], AsyncIterator[Record]]


async def export(
    sessions: async_sessionmaker[AsyncSession], out: TextIO, *, workspace: str | None = None
) -> int:
    """Write every record (of one workspace, by its platform id) as a line; return the count."""
    written = 0
    async with sessions() as session, session.begin():
        await bulk.one_snapshot(session)
        for source in records.sources(workspace):
            async for record in source(session):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


@contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """Write to a temporary file beside ``path``, moved into place only if all of it was written.

    A failed export must never leave a file that looks complete, nor clobber the last good one.
    A temporary file in the same directory can be renamed over the target atomically; it is
    created readable by its owner alone, which suits a file full of what people said.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the rename)
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            yield cast(TextIO, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
