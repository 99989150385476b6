"""What the platforms' payload shapes share: a lenient base, ids' characters, a problem said.

Each platform's shapes are pydantic models, checked against a parsed body before its SDK reads
it (Slack's only once the plain checks of :mod:`adapters.fitting` find that it does not fit).
The models are strict about the fields they name (a string is a string, never a number) and
allow every other field, since platforms add fields over time.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.fitting import PRINTABLE

__all__ = ["PRINTABLE", "Shape", "problem"]


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


def problem(model: type[BaseModel], body: object, whole: str = "") -> str | None:
    """Say what is wrong with ``body`` for ``model`` (its first error), or None if it fits.

    ``whole`` names the body itself, for an error that is about no field of it.
    """
    try:
        model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where or whole}: {first['msg']}"
    return None
