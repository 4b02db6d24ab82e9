"""Markets: a destination country with its currency, locale and tax display.

Currency and locale come from CLDR (through babel); the VAT rate and whether prices are shown
tax-inclusive come from the sourced facts shipped as package data (``xborder/data/facts``,
copied by ``scripts/sync_facts.py``). A fact nobody confirmed is ``None`` — unknown — and is
never read as zero.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

from babel import Locale, UnknownLocaleError
from babel.numbers import get_territory_currencies

from xborder.clock import today
from xborder.errors import UnknownMarketError

__all__ = ["Market", "countries", "is_country"]

# CLDR territory codes that are not countries: macro-regions and private-use/unknown codes.
_NOT_COUNTRIES: Final = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


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


def is_country(code: object) -> bool:
    """Return whether ``code`` is an upper-case ISO 3166-1 alpha-2 code CLDR knows."""
    return isinstance(code, str) and code in _countries()


@cache
def _facts() -> Mapping[str, Mapping[str, Any]]:
    text = resources.files("xborder").joinpath("data/facts/markets.json").read_text("utf-8")
    # parse_float=Decimal: a VAT rate such as 25.5 must stay exact (Money is never a float).
    rows = json.loads(text, parse_float=Decimal)
    return {row["country"]: row for row in rows}


@dataclass(frozen=True, slots=True)
class Market:
    """A country buyers are in, as xborder sees it on one date.

    ``vat_rate`` is the standard VAT/GST rate in percent (``Decimal("19.0")`` for Germany)
    or ``None`` when the facts do not give one (the US has no federal VAT; Brazil's taxes do
    not reduce to one rate). ``prices_include_tax`` is ``None`` when unknown. ``sources`` and
    ``as_of`` say where the tax facts come from and when they were researched.
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

    @classmethod
    def for_country(cls, code: str, *, on: date | None = None) -> Market:
        """Return the market for ``code`` (ISO 3166-1 alpha-2, e.g. ``"DE"``).

        The currency is the legal tender CLDR lists for that country on ``on`` (default:
        today), so Bulgaria answers EUR from 2026-01-01. Raises
        :class:`~xborder.errors.UnknownMarketError` naming the code when CLDR does not
        know the country or lists no currency for it.
        """
        if not is_country(code):
            hint = ""
            if isinstance(code, str) and is_country(code.upper()):
                hint = f"country codes are upper case: did you mean {code.upper()!r}?"
            raise UnknownMarketError(code, reason=hint or "not an ISO 3166-1 alpha-2 country")
        return _market(code, on or today())

    def __str__(self) -> str:
        return self.country


@lru_cache(maxsize=4096)
def _market(code: str, on: date) -> Market:
    tender = get_territory_currencies(code, start_date=on, tender=True)
    if not tender:
        raise UnknownMarketError(code, reason=f"CLDR lists no legal tender there on {on}")
    try:
        locale = str(Locale.parse(f"und_{code}"))
    except (UnknownLocaleError, ValueError):
        raise UnknownMarketError(code, reason="CLDR has no locale for this country") from None
    facts = _facts().get(code, {})
    rate = facts.get("vat_standard_rate")
    as_of = facts.get("as_of")
    return Market(
        country=code,
        name=Locale("en").territories.get(code, code),
        currency=tender[0],
        locale=locale,
        vat_rate=Decimal(rate) if rate is not None else None,
        prices_include_tax=facts.get("prices_displayed_tax_inclusive"),
        eu_member=bool(facts.get("eu_member", False)),
        sources=tuple(facts.get("sources") or ()),
        as_of=date.fromisoformat(as_of) if as_of else None,
        unverified=tuple(facts.get("unverified") or ()),
    )
