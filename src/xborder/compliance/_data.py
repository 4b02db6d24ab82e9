"""Rule data shipped with xborder: dated, sourced JSON in ``xborder/compliance/data``.

Every entry that can change carries ``effective_from`` / ``effective_to`` (ISO dates or
null = open), ``source`` (a URL or a list of URLs) and ``as_of``. Numbers are read as
Decimal, never float; ``null`` stays ``None`` (unknown), never zero.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["in_force", "load", "parse_date", "sources_of"]


@cache
def load(name: str) -> Any:
    """Return the parsed ``compliance/data/<name>.json`` (loaded once per process)."""
    text = resources.files("xborder.compliance").joinpath("data", f"{name}.json").read_text("utf-8")
    return json.loads(text, parse_float=Decimal)


def parse_date(value: object) -> date | None:
    """Turn an ISO date string (or None) into a date."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"expected an ISO date or null, got {value!r}")


def in_force(entry: Mapping[str, Any], on: date) -> bool:
    """Return whether a dated entry applies on ``on`` (both ends inclusive; null = open)."""
    start = parse_date(entry.get("effective_from"))
    end = parse_date(entry.get("effective_to"))
    return (start is None or start <= on) and (end is None or on <= end)


def sources_of(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Return an entry's ``source`` as a tuple of URLs (a string or a list in the data)."""
    source = entry.get("source")
    if source is None:
        return ()
    if isinstance(source, str):
        return (source,)
    return tuple(str(s) for s in source)
