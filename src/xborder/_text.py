"""Plain-text tables for the command line (the demo, `xborder markets`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final, TextIO

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


# Characters never shown raw in a log line, an error, a report or a terminal: C0 controls
# and DEL (CR/LF forge log lines, ESC starts ANSI terminal sequences:
# https://owasp.org/www-community/attacks/Log_Injection), C1 controls (U+009B is a
# one-character CSI on some terminals), the Arabic letter mark, the Unicode line and paragraph
# separators (new lines to many viewers), a stray BOM, lone surrogates (how the catalog reader
# marks bytes that were not UTF-8), and the bidirectional marks, overrides and isolates that
# reorder what a reader sees ("Trojan Source", CVE-2021-42574, https://trojansource.codes/).
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufeff\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    r"""Return ``text`` with every character of ``_UNSAFE`` shown as ``\xNN`` or ``\uNNNN``.

    The escapes are plain ASCII, so a second pass changes nothing.
    """
    return _UNSAFE.sub(_escape, text)
