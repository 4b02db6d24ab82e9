"""``xborder markets``: the sourced market facts on a date, as a table or for one market.

``xborder markets [--on YYYY-MM-DD]`` prints one row per market in the facts;
``xborder markets DE [--on ...] [--language fr]`` prints every dated fact of one market with
all its periods, sources, notes and the research's ``unverified`` notes. An unknown value is
printed as ``unknown``, never as 0.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from xborder._text import table
from xborder.clock import today
from xborder.markets._market import Market
from xborder.markets._periods import (
    Collection,
    DatedFact,
    Period,
    markets_with_facts,
)

__all__ = ["add_arguments", "market_detail", "markets_table", "run"]

UNKNOWN = "unknown"

#: How each dated fact is called in the output.
LABELS = {
    "vat_rate": "VAT (standard rate)",
    "prices_include_tax": "prices shown tax-inclusive",
    "duty_de_minimis": "duty de minimis",
    "flat_duty_per_tariff_line": "flat duty per tariff line",
    "tax_de_minimis": "tax de minimis",
    "collection": "point-of-sale tax collection",
    "parcel_fee": "national parcel fee",
}

_SCHEME_WIDTH = 44


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``markets`` subcommand's arguments to ``parser``."""
    parser.add_argument("code", nargs="?", help="a country code (e.g. DE) for one market in detail")
    parser.add_argument("--on", type=_date, help="the date (YYYY-MM-DD; default: today, UTC)")
    parser.add_argument("--language", help="with a code: the locale of this language there")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``xborder markets`` with parsed ``args``; return the exit status."""
    on: date = args.on or today()
    if args.code:
        market_detail(out, args.code, on=on, language=args.language)
    else:
        markets_table(out, on=on)
    return 0


# -- values as text ------------------------------------------------------------------------


def _amount(value: Decimal, currency: str | None) -> str:
    text = f"{value:,}"
    return f"{currency} {text}" if currency else text


def value_text(fact: str, period: Period[Any] | None, *, short: bool = False) -> str:
    """Return a period's value for humans: ``unknown`` for no period or a null value."""
    if period is None or period.value is None:
        return UNKNOWN
    value = period.value
    if fact == "vat_rate":
        return f"{value} %"
    if fact == "prices_include_tax":
        return "yes" if value else "no"
    if isinstance(value, Collection):
        scheme = value.scheme or "none found"
        if short and len(scheme) > _SCHEME_WIDTH:
            scheme = scheme[: _SCHEME_WIDTH - 1] + "…"
        return scheme
    return _amount(value, period.currency)


def _span(period: Period[Any]) -> str:
    start = period.effective_from.isoformat() if period.effective_from else "(start not recorded)"
    end = period.effective_to.isoformat() if period.effective_to else "(open)"
    return f"{start} → {end}"


# -- the table -----------------------------------------------------------------------------


def markets_table(out: TextIO, *, on: date) -> None:
    """Print one row per market in the sourced facts, as in force on ``on``."""
    header = (
        "country",
        "currency",
        "languages",
        "VAT",
        "tax-incl.",
        "duty de minimis",
        "tax de minimis",
        "collection scheme",
        "as of",
    )
    rows = [header]
    as_of = set()
    for code in markets_with_facts():
        market = Market.for_country(code, on=on)
        vat = market.period("vat_rate")
        prices = market.period("prices_include_tax")
        rows.append(
            (
                code,
                market.currency,
                ", ".join(market.languages),
                value_text("vat_rate", vat),
                value_text("prices_include_tax", prices),
                value_text("duty_de_minimis", market.duty_de_minimis),
                value_text("tax_de_minimis", market.tax_de_minimis),
                value_text("collection", market.collection, short=True),
                market.as_of.isoformat() if market.as_of else UNKNOWN,
            )
        )
        if market.as_of:
            as_of.add(market.as_of)
    out.write(f"xborder markets: {len(rows) - 1} markets with sourced facts, on {on.isoformat()}\n")
    if as_of:
        out.write(f"facts researched as of {max(as_of).isoformat()}; ")
    out.write("`xborder markets CODE` shows one market's sources, notes and unverified items\n\n")
    table(rows, out)
    out.write(
        "\nunknown = not confirmed by the research (never read as 0); 0 = no threshold: "
        "duty/tax from the first unit.\nEU member states inherit the EU thresholds; "
        "duty de minimis amounts are in the currency shown (e.g. USD for KR).\n"
    )


# -- one market ----------------------------------------------------------------------------


def _wrap(out: TextIO, label: str, text: str, indent: str) -> None:
    out.write(f"{indent}{label}{text}\n")


def _periods(out: TextIO, fact: DatedFact[Any], periods: Sequence[Period[Any]], on: date) -> None:
    for period in periods:
        mark = "*" if period.covers(on) else " "
        out.write(f"  {mark} {_span(period)}: {value_text(fact.name, period)}\n")
        if isinstance(period.value, Collection):
            if period.value.threshold:
                _wrap(out, "threshold: ", period.value.threshold, "      ")
            if period.value.collected_by:
                _wrap(out, "collected by: ", period.value.collected_by, "      ")
        for url in period.source:
            _wrap(out, "source: ", url, "      ")
        if period.notes:
            _wrap(out, "notes: ", period.notes, "      ")
        _wrap(out, "as of: ", period.as_of.isoformat(), "      ")


def market_detail(out: TextIO, code: str, *, on: date, language: str | None = None) -> None:
    """Print every dated fact of ``code`` with all periods, sources and unverified notes."""
    market = Market.for_country(code, on=on, language=language)
    out.write(f"{market.country}  {market.name}: the market on {on.isoformat()}\n\n")
    lines = [
        ("currency", f"{market.currency} (CLDR legal tender on {on.isoformat()})"),
        ("locale", market.locale),
        ("languages", ", ".join(market.languages) + " (CLDR official languages)"),
        ("measurement", f"{market.measurement} (CLDR measurement system)"),
        ("EU member", "yes (inherits the EU facts)" if market.eu_member else "no"),
        ("facts as of", market.as_of.isoformat() if market.as_of else UNKNOWN),
    ]
    width = max(len(k) for k, _ in lines)
    for key, text in lines:
        out.write(f"{key.ljust(width)}  {text}\n")
    if not market.facts:
        out.write(
            f"\nxborder has no sourced facts for {code}: VAT, tax display, de minimis and "
            f"collection are {UNKNOWN}.\n"
        )
        return
    out.write("\n* = the period in force on the date; (open) = no end date recorded\n")
    for name, fact in market.facts.items():
        found = market.lookup(name)
        out.write(f"\n{LABELS.get(name, name)} [{name}]: {value_text(name, found.period)}\n")
        out.write(f"  on {on.isoformat()}: {found.reason}\n")
        _periods(out, fact, fact.periods, on)
        for origin, periods in fact.by_origin:
            out.write(f"  for goods of origin {origin} (these periods win over the above):\n")
            _periods(out, fact, periods, on)
        for note in fact.unverified:
            out.write(f"  UNVERIFIED: {note}\n")
    if market.facts.recent_changes:
        out.write("\nrecent changes (from the facts):\n")
        for day, change, sources in market.facts.recent_changes:
            out.write(f"  {day}  {change}\n")
            for url in sources:
                out.write(f"      source: {url}\n")
    out.write("\nunverified (not confirmed by the research; check before relying on them):\n")
    for note in market.unverified or ("(none listed)",):
        out.write(f"  - {note}\n")
    out.write("\nsources of this market's facts:\n")
    for url in market.sources:
        out.write(f"  - {url}\n")
