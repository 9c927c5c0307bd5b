"""Row helpers shared by the SQL modules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def first(rows: Iterable[Any]) -> Any | None:
    """The first row of a fetched result, or None; one thread hop per statement, not three."""
    for row in rows:
        return row
    return None
