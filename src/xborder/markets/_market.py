"""Market: a destination country as xborder sees it on one date.

Currency, languages, locale and measurement system come from CLDR (through babel); VAT,
tax display, de minimis and the point-of-sale collection scheme come from the dated, sourced
package data (``xborder/data/market_periods.json``, see :mod:`xborder.markets._periods`).
A fact nobody confirmed is ``None`` — unknown — and is never read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from babel import Locale

from xborder.clock import today
from xborder.errors import UnknownMarketError
from xborder.markets._cldr import (
    MeasurementSystem,
    default_locale,
    is_country,
    languages_of,
    legal_tender,
    locale_for,
    measurement_of,
)
from xborder.markets._periods import (
    Collection,
    Lookup,
    MarketFacts,
    Period,
    dated_facts,
    market_info,
)
from xborder.markets._periods import lookup as _lookup
from xborder.money import validate_currency

__all__ = ["Market"]

_NO_FACTS: Final = MarketFacts("", ())


@dataclass(frozen=True, slots=True)
class Market:
    """A country buyers are in, as xborder sees it on the date ``on``.

    From CLDR: ``currency`` (legal tender on ``on``), ``locale`` (``de_DE``; the locale of the
    language asked for with ``language=``), ``languages`` (official languages, most spoken
    first) and ``measurement`` (``"metric"``, ``"US"`` or ``"UK"``).

    From the sourced facts, as in force on ``on``: ``vat_rate`` is the standard VAT/GST rate
    in percent (``Decimal("19.0")`` for Germany) or ``None`` when the facts give none (the US
    has no federal VAT; Brazil's taxes do not reduce to one rate); ``prices_include_tax`` is
    ``None`` when unknown. ``duty_de_minimis``, ``tax_de_minimis`` and ``collection`` are the
    :class:`Period` in force (``None`` when no period covers ``on``; a period whose ``value`` is
    ``None`` means the value is unknown). ``facts`` holds every period of every fact.
    ``sources``, ``as_of`` and ``unverified`` describe the market's facts as a whole.
    """

    country: str
    name: str
    currency: str
    locale: str
    vat_rate: Decimal | None
    prices_include_tax: bool | None
    eu_member: bool
    sources: tuple[str, ...]
    as_of: date | None
    unverified: tuple[str, ...]
    languages: tuple[str, ...] = ()
    measurement: MeasurementSystem = "metric"
    duty_de_minimis: Period[Decimal] | None = None
    tax_de_minimis: Period[Decimal] | None = None
    collection: Period[Collection] | None = None
    on: date | None = None
    facts: MarketFacts = field(default=_NO_FACTS, repr=False)

    @classmethod
    def for_country(
        cls,
        code: str,
        *,
        language: str | None = None,
        on: date | None = None,
        currency: str | None = None,
    ) -> Market:
        """Return the market for ``code`` (ISO 3166-1 alpha-2, e.g. ``"DE"``) on ``on``.

        ``on`` defaults to today (UTC). The currency is the legal tender CLDR lists for that
        country on ``on`` (Bulgaria answers EUR from 2026-01-01) unless ``currency=`` names
        another ISO 4217 code; while an outgoing currency is still legal tender (BGN until
        2026-01-31), the one replacing it is the answer. ``language=`` selects the locale of
        that language in that country (``Market.for_country("CA", language="fr").locale ==
        "fr_CA"``); it must exist in CLDR, in the script given if any. Results are cached by
        ``(code, on, language, currency)``.

        Raises :class:`~xborder.errors.UnknownMarketError` naming the code when CLDR does not
        know the country or lists no currency for it,
        :class:`~xborder.errors.UnknownLocaleError` for a language without a locale there
        (or a script the locale there is not written in: ``zh_Hant`` in ``CN``),
        and :class:`~xborder.errors.UnknownCurrencyError` for an unknown ``currency``.
        """
        if not is_country(code):
            raise UnknownMarketError(code, reason=_why_not_a_country(code))
        if currency is not None:
            validate_currency(currency, field="currency")
        return _market(code, on or today(), language, currency)

    def lookup(self, fact: str, *, origin: str | None = None) -> Lookup[Any]:
        """Return the period of ``fact`` in force on this market's date, with the reason.

        ``origin`` (ISO country of the goods) applies origin exceptions, e.g. US de minimis
        for products of China on 2025-06-01 is USD 0 while other goods still had USD 800.
        """
        return _lookup(self.country, fact, self.on or today(), origin=origin)

    def period(self, fact: str, *, origin: str | None = None) -> Period[Any] | None:
        """Return the period of ``fact`` in force on this market's date, or None."""
        return self.lookup(fact, origin=origin).period

    def __str__(self) -> str:
        return self.country


def _why_not_a_country(code: object) -> str:
    if isinstance(code, str) and is_country(code.upper()):
        return f"country codes are upper case: did you mean {code.upper()!r}?"
    if code == "EU":
        return (
            "the European Union is not a country; its facts apply to each member state (e.g. 'DE')"
        )
    return "not an ISO 3166-1 alpha-2 country"


@lru_cache(maxsize=4096)
def _market(code: str, on: date, language: str | None, currency: str | None) -> Market:
    if currency is None:
        tender = legal_tender(code, on)
        if not tender:
            raise UnknownMarketError(code, reason=f"CLDR lists no legal tender there on {on}")
        # legal_tender puts the main currency first: during a changeover, the newcomer.
        currency = tender[0]
    locale = locale_for(code, language) if language is not None else default_locale(code)
    facts = dated_facts(code)
    info = market_info(code) or {}

    def value_on(name: str) -> Any:
        if name not in facts:
            return None
        period = facts[name].period_on(on)
        return period.value if period is not None else None

    def period_on(name: str) -> Any:
        return facts[name].period_on(on) if name in facts else None

    as_of = info.get("as_of")
    return Market(
        country=code,
        name=Locale("en").territories.get(code, code),
        currency=currency,
        locale=locale,
        vat_rate=value_on("vat_rate"),
        prices_include_tax=value_on("prices_include_tax"),
        eu_member=bool(info.get("eu_member", False)),
        sources=tuple(info.get("sources") or ()),
        as_of=date.fromisoformat(as_of) if as_of else None,
        unverified=tuple(info.get("unverified") or ()),
        languages=languages_of(code),
        measurement=measurement_of(code),
        duty_de_minimis=period_on("duty_de_minimis"),
        tax_de_minimis=period_on("tax_de_minimis"),
        collection=period_on("collection"),
        on=on,
        facts=facts,
    )
