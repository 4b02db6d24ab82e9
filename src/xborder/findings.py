"""Findings: what xborder noticed about a listing, as data.

Localization, the channel rules and (later) the compliance checks report what they found as
:class:`Finding` values instead of raising: a seller sees every problem at once, and code can
filter them by ``code`` (``"<family>.<reason>"``, stable and documented) or ``severity``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

__all__ = ["Finding", "Severity"]

Severity = Literal["error", "warning", "info"]

_CODE: Final = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
_SEVERITIES: Final = frozenset({"error", "warning", "info"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing noticed about a listing.

    ``code`` is ``"<family>.<reason>"`` (e.g. ``"channel.title_shortened"``); ``severity``
    is ``"error"`` (blocks publishing), ``"warning"`` or ``"info"``; ``field`` the dotted path
    of the listing field concerned; ``message`` plain words for the seller; ``source`` the
    URL of the rule, regulation or API document it follows; ``effective_from`` the day that
    rule took effect, when it is a dated rule.
    """

    code: str
    severity: Severity
    message: str
    field: str | None = None
    source: str | None = None
    effective_from: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.fullmatch(self.code):
            raise ValueError(f"code: expected '<family>.<reason>' in lower case, got {self.code!r}")
        if self.severity not in _SEVERITIES:
            raise ValueError(f"severity: expected error, warning or info, got {self.severity!r}")
        if not self.message:
            raise ValueError(f"message: a finding needs a message ({self.code})")

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.severity}: {self.code}{where}: {self.message}"
