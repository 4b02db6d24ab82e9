"""Markets: a destination country with its currency, locale, languages, units and dated tax facts.

See docs/markets.md. ``Market.for_country("DE", on=date(2026, 10, 30))`` gives the market
on a date; :func:`dated_facts` and :func:`lookup` give every sourced period of every fact.
"""

from xborder.markets._cldr import (
    MeasurementSystem,
    countries,
    is_country,
    languages_of,
    locale_for,
    measurement_of,
)
from xborder.markets._market import Market
from xborder.markets._periods import (
    FACT_NAMES,
    Collection,
    DatedFact,
    Lookup,
    MarketFacts,
    Period,
    dated_facts,
    lookup,
    markets_with_facts,
)

__all__ = [
    "FACT_NAMES",
    "Collection",
    "DatedFact",
    "Lookup",
    "Market",
    "MarketFacts",
    "MeasurementSystem",
    "Period",
    "countries",
    "dated_facts",
    "is_country",
    "languages_of",
    "locale_for",
    "lookup",
    "markets_with_facts",
    "measurement_of",
]
