"""Findings: what xborder noticed about a listing, as data.

Localization, the channel rules and (later) the compliance checks report what they found as
:class:`Finding` values instead of raising: a seller sees every problem at once, and code can
filter them by ``code`` (``"<family>.<reason>"``, stable and documented) or ``severity``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal, NamedTuple

__all__ = ["Finding", "Severity"]

Severity = Literal["error", "warning", "info"]

_CODE: Final = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
_SEVERITIES: Final = frozenset({"error", "warning", "info"})
_SEEN_CODES: set[str] = set()


class _Fields(NamedTuple):
    code: str
    severity: Severity
    message: str
    field: str | None = None
    source: str | None = None
    effective_from: date | None = None


class Finding(_Fields):
    """One thing noticed about a listing.

    ``code`` is ``"<family>.<reason>"`` (e.g. ``"channel.title_shortened"``); ``severity``
    is ``"error"`` (blocks publishing), ``"warning"`` or ``"info"``; ``field`` the dotted path
    of the listing field concerned; ``message`` plain words for the seller; ``source`` the
    URL of the rule, regulation or API document it follows; ``effective_from`` the day that
    rule took effect, when it is a dated rule.

    Immutable and hashable. A named tuple rather than a dataclass: checks create findings
    per listing × market × rule, and a tuple is several times cheaper to build.
    """

    __slots__ = ()

    def __new__(
        cls,
        code: str,
        severity: Severity,
        message: str,
        field: str | None = None,
        source: str | None = None,
        effective_from: date | None = None,
    ) -> Finding:
        """Build a finding; raise ValueError for a malformed code, severity or message."""
        # A code seen once is not parsed again (findings are made on the hot path).
        if not isinstance(code, str) or code not in _SEEN_CODES:
            if not isinstance(code, str) or not _CODE.fullmatch(code):
                raise ValueError(f"code: expected '<family>.<reason>' in lower case, got {code!r}")
            if len(_SEEN_CODES) < 65_536:
                _SEEN_CODES.add(code)
        if severity not in _SEVERITIES:
            raise ValueError(f"severity: expected error, warning or info, got {severity!r}")
        if not message:
            raise ValueError(f"message: a finding needs a message ({code})")
        return super().__new__(cls, code, severity, message, field, source, effective_from)

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.severity}: {self.code}{where}: {self.message}"
