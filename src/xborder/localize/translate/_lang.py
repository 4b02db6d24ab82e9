"""Language codes as xborder passes them to translators: simple BCP-47 tags.

A tag is a language subtag (``"de"``), optionally a script (``"zh-Hant"``) and a region
(``"pt-BR"``, ``"es-419"``), in that order; babel's underscore form (``"pt_BR"``) is accepted
too. :func:`canonical_language` writes every tag the same way (language lower case, script
title case, region upper case) so that cache keys do not depend on how a caller spelled it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from xborder.errors import UnknownLocaleError

__all__ = ["LanguageTag", "canonical_language", "parse_language"]

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}")
_SCRIPT = re.compile(r"[A-Za-z]{4}")
_REGION = re.compile(r"[A-Za-z]{2}|[0-9]{3}")


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A parsed language tag: ``language`` (lower case), ``script`` and ``region`` if given."""

    language: str
    script: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        return "-".join(p for p in (self.language, self.script, self.region) if p)


@lru_cache(maxsize=256)
def parse_language(code: str) -> LanguageTag:
    """Parse ``code`` (``"de"``, ``"pt-BR"``, ``"zh_Hant_TW"``) into a :class:`LanguageTag`.

    Raises :class:`~xborder.errors.UnknownLocaleError` for text that is not such a tag
    (variants and extensions such as ``"de-DE-1996"`` or ``"en-u-ca-x"`` are not accepted).
    """
    if not isinstance(code, str):
        raise UnknownLocaleError(code, reason="a language code is a str such as 'de' or 'pt-BR'")
    parts = code.strip().replace("_", "-").split("-")
    if not _LANGUAGE.fullmatch(parts[0]):
        raise UnknownLocaleError(code, reason="expected a language code such as 'de' or 'pt-BR'")
    language = parts[0].lower()
    script: str | None = None
    region: str | None = None
    rest = parts[1:]
    if rest and _SCRIPT.fullmatch(rest[0]):
        script = rest.pop(0).title()
    if rest and _REGION.fullmatch(rest[0]):
        region = rest.pop(0).upper()
    if rest:
        raise UnknownLocaleError(
            code, reason="only language, script and region subtags are supported (e.g. 'zh-Hant')"
        )
    return LanguageTag(language, script, region)


def canonical_language(code: str) -> str:
    """Return ``code`` in canonical form (``"pt_br"`` → ``"pt-BR"``)."""
    return str(parse_language(code))
