"""Text xborder writes for people: CSV cells a spreadsheet will not run, terminal-safe text.

**CSV.** A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, so a catalog title such as ``=HYPERLINK("https://evil.example","click")`` written
back into a report would become a live link or worse when the seller opens it. Following
OWASP's "CSV Injection" advice (https://owasp.org/www-community/attacks/CSV_Injection),
:func:`spreadsheet_cell` puts a single quote before any *text* cell that starts with one of
those characters, a tab or a carriage return, and :func:`to_csv` quotes every cell. Numbers
that xborder itself computes (``int`` and ``Decimal`` values, never seller text) are written
as they are so they stay numbers; every text cell is escaped, even ``"-5"``.

**Terminal.** Catalog text and marketplace answers may hold escape sequences (``ESC [``) that
recolour, move the cursor or rewrite the title of a terminal. :func:`terminal_safe` shows
them as visible escapes (``ESC`` as backslash, ``x1b``) instead of sending them raw.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

from xborder._text import escape_controls

__all__ = ["FORMULA_PREFIXES", "spreadsheet_cell", "terminal_safe", "to_csv"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP, link above).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str | int | Decimal:
    """Return ``value`` as a CSV cell a spreadsheet shows as text, never runs as a formula.

    ``None`` becomes an empty cell; ``int`` (not ``bool``) and ``Decimal`` values are kept
    as numbers; anything else is turned into text and prefixed with ``'`` when it starts
    with one of :data:`FORMULA_PREFIXES`.
    """
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(rows: Iterable[Sequence[object]]) -> str:
    """Return ``rows`` (the first is the header) as CSV text, every cell quoted and escaped.

    Lines end in CRLF (RFC 4180). Write the text with ``encoding="utf-8-sig"`` when a
    spreadsheet will open the file, so that it reads the text as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return buffer.getvalue()


def terminal_safe(text: str) -> str:
    r"""Return ``text`` with control characters shown as visible escapes (ESC as ``\x1b``).

    For one table cell or one line of output: line breaks and tabs are escaped as well.
    """
    return escape_controls(text)
