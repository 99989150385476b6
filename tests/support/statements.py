"""Count the statements an engine runs: a cost that does not depend on the machine's load."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event


class Counted:
    """Statements an engine runs while this is open (``with Counted(engine) as counted``)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine.sync_engine
        self.n = 0

    def _count(self, *_: Any) -> None:
        self.n += 1

    def __enter__(self) -> Counted:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)
