"""Where a long text is best cut into the pieces a platform's message can hold."""

from __future__ import annotations


def piece_end(text: str, end: int, *, floor: int) -> int:
    """Where a piece of ``text`` that may run to ``end`` had best end.

    Just after the last line break before ``end``, else after the last space, when either
    comes after ``floor`` (a piece should not come out much shorter than it may be); else at
    ``end`` itself.
    """
    for separator in ("\n", " "):
        at = text.rfind(separator, floor, end)
        if at > 0:
            return at + 1
    return end
