"""What CLDR (through babel) says about a country: languages, locale, units, legal tender.

Everything here is derived from the CLDR data babel ships (CLDR 49 with babel 2.19), except
the measurement system: babel does not expose CLDR's ``<measurementData>``, so the three
non-metric entries are copied below with their source.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, Final, Literal

from babel import Locale, UnknownLocaleError, localedata
from babel.core import get_global, parse_locale
from babel.languages import get_territory_language_info
from babel.numbers import get_territory_currencies

from xborder.errors import UnknownLocaleError as XborderUnknownLocaleError
from xborder.errors import UnknownMarketError

__all__ = [
    "MeasurementSystem",
    "countries",
    "is_country",
    "languages_of",
    "legal_tender",
    "locale_for",
    "measurement_of",
]

#: The measurement system in everyday use: ``"metric"``, ``"US"`` (US customary) or ``"UK"``
#: (imperial/metric mix, e.g. miles and pints).
MeasurementSystem = Literal["metric", "US", "UK"]

# CLDR territory codes that are not countries: macro-regions and private-use/unknown codes.
_NOT_COUNTRIES: Final = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})

# CLDR supplementalData.xml <measurementData>, as documented in UTS #35 Part 6
# (https://www.unicode.org/reports/tr35/tr35-info.html#Measurement_System_Data):
#   <measurementSystem type="metric" territories="001"/>
#   <measurementSystem type="US" territories="LR MM US"/>
#   <measurementSystem type="UK" territories="GB"/>
# babel 2.19 ships only the *names* of the systems (Locale.measurement_systems), not this
# territory mapping, so it is copied here. Every other country is metric ("001").
# The temperature-only overrides (metric °C in LR/MM, °F in BS BZ KY PR PW) are not modelled.
_MEASUREMENT: Final[dict[str, MeasurementSystem]] = {"US": "US", "LR": "US", "MM": "US", "GB": "UK"}


@cache
def _countries() -> frozenset[str]:
    names = Locale("en").territories
    return frozenset(
        code
        for code in names
        if isinstance(code, str) and len(code) == 2 and code.isalpha()
        if code not in _NOT_COUNTRIES
    )


def countries() -> tuple[str, ...]:
    """Return every country code xborder knows (CLDR territories, macro-regions excluded)."""
    return tuple(sorted(_countries()))


#: _countries(), once read: is_country runs on every compliance check, and a plain set
#: test is cheaper than a call of the cached function.
_KNOWN: set[str] = set()


def is_country(code: object) -> bool:
    """Return whether ``code`` is an upper-case ISO 3166-1 alpha-2 code CLDR knows."""
    return isinstance(code, str) and code in (_KNOWN or _know())


def _know() -> set[str]:
    _KNOWN.update(_countries())
    return _KNOWN


def measurement_of(code: str) -> MeasurementSystem:
    """Return the measurement system CLDR gives ``code`` (``"metric"`` unless listed)."""
    return _MEASUREMENT.get(code, "metric")


@cache
def _spoken(code: str) -> tuple[tuple[str, float, str | None], ...]:
    """(language, population %, official status) for ``code``, most spoken first."""
    info = get_territory_language_info(code)
    rows: list[tuple[str, float, str | None]] = []
    for lang, data in info.items():
        status = data.get("official_status")
        if lang != "und":
            # population share is babel's float; it only orders languages, never prices.
            rows.append(
                (lang, float(data.get("population_percent") or 0), str(status or "") or None)
            )
    return tuple(sorted(rows, key=lambda row: -row[1]))


@cache
def languages_of(code: str) -> tuple[str, ...]:
    """Return the country's official languages, most spoken first (CLDR territoryInfo).

    Languages with ``official`` status come first, by population; then the
    ``de_facto_official`` ones (the US: ``("en",)``; New Zealand: ``("mi", "en")``;
    Switzerland: ``("de", "fr", "it", "gsw")``). Regional official languages
    (``official_regional``: Spanish in the US, Romansh in Switzerland) and unofficial ones are
    not listed. A territory with neither falls back to its most spoken language. Codes are
    CLDR's, with a script where CLDR gives one (``zh_Hant``).
    """
    spoken = _spoken(code)
    found = tuple(lang for lang, _, s in spoken if s == "official") + tuple(
        lang for lang, _, s in spoken if s == "de_facto_official"
    )
    return found or tuple(lang for lang, _, _ in spoken[:1])


@cache
def default_locale(code: str) -> str:
    """Return the locale of ``code``'s likely language (CLDR likely subtags): ``de_DE``, ``ja_JP``.

    When CLDR has no locale for the country itself, the first of its languages (official
    first) that has one there (``nl_BQ``), else the main language alone (``en`` for
    Ascension Island). Raises :class:`UnknownMarketError` when CLDR knows no language there.
    """
    try:
        return str(Locale.parse(f"und_{code}"))
    except (UnknownLocaleError, ValueError):
        pass
    candidates = list(languages_of(code)) + [lang for lang, _, _ in _spoken(code)]
    for lang in dict.fromkeys(candidates):
        if localedata.exists(f"{lang}_{code}"):
            return f"{lang}_{code}"
    for lang in dict.fromkeys(candidates):
        if localedata.exists(lang):
            return lang
    raise UnknownMarketError(code, reason="CLDR has no language or locale for this country")


def _normalise_language(language: str) -> str:
    """``"fr"`` → ``"fr"``, ``"zh-hant"`` → ``"zh_Hant"``; refuses a region or variant."""
    parts = language.replace("-", "_").split("_")
    if not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3 or len(parts) > 2:
        raise ValueError(language)
    if len(parts) == 2 and not (len(parts[1]) == 4 and parts[1].isalpha()):
        raise ValueError(language)  # only a script may follow: zh_Hant, sr_Latn
    return parts[0].lower() + ("_" + parts[1].title() if len(parts) == 2 else "")


@cache
def locale_for(code: str, language: str) -> str:
    """Return the locale for ``language`` in country ``code`` (``"fr"``, ``"CA"`` → ``fr_CA``).

    Rule: the locale ``language_CODE`` must exist in CLDR (babel); likely subtags fill in the
    script (``zh`` in ``HK`` → ``zh_Hant_HK``). A script given with the language must be the
    locale's: ``zh_Hant`` in ``CN`` is refused, not answered with ``zh_Hans_CN``. CLDR's
    territory population data is not the gate: ``en`` in ``JP`` gives ``en_JP`` (CLDR has the
    locale), while ``de`` in ``US`` is refused although CLDR counts German speakers there,
    because CLDR has no ``de_US`` to format prices with. Raises
    :class:`xborder.errors.UnknownLocaleError` naming the language and the country, with the
    languages that do have a locale there.
    """
    try:
        wanted = _normalise_language(language)
    except ValueError:
        raise XborderUnknownLocaleError(
            language, reason="expected a language code such as 'fr' or 'zh_Hant'"
        ) from None
    locale = _resolve(wanted, code)
    if locale is None:
        # _resolve again, so every language offered here is one that locale_for accepts
        # (zh in CN resolves to zh_Hans_CN although CLDR has no plain zh_CN).
        offered = [
            lang
            for lang in dict.fromkeys(
                [*languages_of(code), *(lang for lang, _, _ in _spoken(code))]
            )
            if _resolve(lang, code) is not None
        ]
        listed = ", ".join(offered) or "none"
        raise XborderUnknownLocaleError(
            language,
            reason=(
                f"CLDR has no locale for language {wanted!r} in country {code!r}; "
                f"languages with a locale there: {listed}"
            ),
        )
    return str(locale)


def _resolve(wanted: str, code: str) -> Locale | None:
    """Return the CLDR locale of ``wanted`` (``zh`` or ``zh_Hant``) in ``code``, or None."""
    try:
        locale = Locale.parse(f"{wanted}_{code}")
    except (UnknownLocaleError, ValueError):
        return None
    script = wanted.partition("_")[2]
    # Locale.parse falls back through likely subtags when language_Script_CODE does not exist
    # ("zh_Hant_CN" → zh_Hans_CN): the territory survives but the script asked for does not,
    # so a requested script must still be the locale's, written or implied (en_Latn → en_US).
    if locale.territory != code or (script and _script_of(locale) != script):
        return None
    return locale if localedata.exists(str(locale)) else None


def _script_of(locale: Locale) -> str | None:
    """Return the locale's script, written (``zh_Hant_TW``) or implied (``en_US`` → Latn)."""
    if locale.script:
        return locale.script
    likely = get_global("likely_subtags")
    for key in (f"{locale.language}_{locale.territory}", locale.language):
        if key in likely:
            return parse_locale(likely[key])[2]
    return None


def legal_tender(code: str, on: date) -> tuple[str, ...]:
    """Return the currencies CLDR lists as legal tender in ``code`` on ``on``, main first.

    During a changeover CLDR lists both currencies for a while (Bulgaria: BGN until
    2026-01-31, EUR from 2026-01-01). The main currency is the one not being replaced: a
    currency is replaced when it has an end date and another tender in force started after it,
    so the newcomer (EUR) comes first and the outgoing one (BGN) stays listed after it.
    Currencies that circulate side by side with no end date (Panama: PAB and USD) keep
    CLDR's order as babel gives it, oldest first.
    """
    rows: list[dict[str, Any]] = [
        row
        for row in get_territory_currencies(code, start_date=on, tender=True, include_details=True)
        if isinstance(row, dict)
    ]

    def replaced(row: dict[str, Any]) -> bool:
        # babel sorts a territory's currencies by start date, oldest first, so without this
        # the outgoing currency would come first for the whole overlap.
        start: date = row["from"] or date.min
        return row["to"] is not None and any(
            other["from"] is not None and other["from"] > start for other in rows
        )

    main = [row["currency"] for row in rows if not replaced(row)]
    rest = [row["currency"] for row in rows if replaced(row)]
    return tuple(str(currency) for currency in (*main, *rest))
