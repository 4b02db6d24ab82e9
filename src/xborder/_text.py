"""Plain-text tables for the command line (the demo, `xborder markets`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TextIO

__all__ = ["table", "width"]


def width(text: str) -> int:
    """Return how many terminal cells ``text`` takes: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(
    rows: Sequence[Sequence[str]], out: TextIO, *, right: frozenset[int] = frozenset()
) -> None:
    """Write ``rows`` as aligned columns; the first row is the header, underlined.

    Columns whose index is in ``right`` are right-aligned (numbers, amounts).
    """
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if i in right and n else cell + pad)
        out.write("  ".join(cells).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
