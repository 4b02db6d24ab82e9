"""Check xborder.format_price against babel, then time both side by side.

Run: ``.venv/bin/python benchmarks/bench_format_price.py [--rounds N]``

1. Correctness: every babel locale of the demo markets (territories DE FR GB JP CA AU CH SE
   PL MX) x its territory's currencies x amounts (negatives, zero, negative zero, >= 1,000,000,
   extra digits) is formatted by both. Output must be identical except where babel's
   apostrophe-grouping bug is detected; there xborder must give the CLDR-correct text, built
   here from babel's own output with the group symbol protected from babel's quote stripping.
   Any other mismatch makes the script exit with status 1.
2. Speed: ``format_price(money, locale_str)`` and
   ``babel.numbers.format_currency(amount, currency, locale=locale_str)`` each format the whole
   case list, interleaved in the same run (order alternating per round), for several rounds.
   Per-call median and minimum are reported in microseconds, and the speed-up is the median
   of the per-round ratios. Timing is never asserted anywhere.
"""

from __future__ import annotations

import argparse
import decimal
import platform
import statistics
import sys
import timeit
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal
from unittest import mock

import babel
import babel.numbers
from babel.core import Locale, get_cldr_version, parse_locale
from babel.localedata import locale_identifiers
from babel.numbers import format_currency, get_territory_currencies

from xborder.localize.formatting import babel_fallbacks, babel_swiss_grouping_bug, format_price
from xborder.money import Money

DEMO_TERRITORIES = ("DE", "FR", "GB", "JP", "CA", "AU", "CH", "SE", "PL", "MX")
ON = date(2026, 10, 30)  # a fixed date for the territories' currencies
AMOUNTS = tuple(
    Decimal(text)
    for text in (
        "0",
        "-0",
        "0.125",
        "2.5",
        "19.99",
        "-19.99",
        "1234.5",
        "-1234.5678",
        "99999.995",
        "1234567.891",
        "-1234567.5",
        "1234567890.125",
    )
)
DEFAULT_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
GROUP_STANDIN = "\ue001"

Case = tuple[Money, str]


def build_cases() -> list[Case]:
    locales = sorted(i for i in locale_identifiers() if parse_locale(i)[1] in DEMO_TERRITORIES)
    cases: list[Case] = []
    for identifier in locales:
        territory = parse_locale(identifier)[1] or ""
        for currency in get_territory_currencies(territory, start_date=ON):
            cases.extend((Money(amount, currency), identifier) for amount in AMOUNTS)
    return cases


def expected(money: Money, identifier: str) -> tuple[str, bool]:
    """Return babel's text, or the corrected one where the bug hits; and whether corrected."""
    with decimal.localcontext(DEFAULT_CONTEXT):
        text = format_currency(money.amount, money.currency, locale=identifier)
        group = Locale.parse(identifier).number_symbols["latn"].get("group", ",")
        if "'" not in group or not babel_swiss_grouping_bug():
            return text, False
        with mock.patch.object(babel.numbers, "get_group_symbol", return_value=GROUP_STANDIN):
            correct = format_currency(money.amount, money.currency, locale=identifier)
    correct = correct.replace(GROUP_STANDIN, group)
    return correct, correct != text


def verify(cases: list[Case]) -> int:
    identical = corrected = 0
    mismatches: list[tuple[Case, str, str]] = []
    for money, identifier in cases:
        want, is_corrected = expected(money, identifier)
        got = format_price(money, identifier)
        if got != want:
            mismatches.append(((money, identifier), got, want))
        elif is_corrected:
            corrected += 1
        else:
            identical += 1
    locales = len({identifier for _, identifier in cases})
    pairs = len({(identifier, money.currency) for money, identifier in cases})
    print(
        f"babel {babel.__version__} (CLDR {get_cldr_version()}), Python {platform.python_version()}"
    )
    print(f"Swiss apostrophe-grouping bug detected in babel: {babel_swiss_grouping_bug()}")
    print(f"cases: {len(cases)} ({locales} locales, {pairs} locale x currency pairs)")
    for label, count in (
        ("identical to babel", identical),
        ("bug-corrected (apostrophe)", corrected),
        ("other mismatches", len(mismatches)),
        ("pairs falling back to babel", len(babel_fallbacks())),
    ):
        print(f"  {label + ':':29} {count}")
    for (money, identifier), got, want in mismatches[:20]:
        print(f"    MISMATCH {money!r} {identifier}: got {got!r}, expected {want!r}")
    return len(mismatches)


def per_call_us(function: Callable[[], object], number: int, calls: int) -> float:
    return timeit.Timer(function).timeit(number) / (number * calls) * 1e6


def benchmark(cases: list[Case], rounds: int) -> None:
    triples = [(m.amount, m.currency, identifier) for m, identifier in cases]
    parsed = [(m.amount, m.currency, Locale.parse(identifier)) for m, identifier in cases]

    def ours() -> None:
        for money, identifier in cases:
            format_price(money, identifier)

    def babel_str() -> None:
        for amount, currency, identifier in triples:
            format_currency(amount, currency, locale=identifier)

    def babel_locale() -> None:
        for amount, currency, loc in parsed:
            format_currency(amount, currency, locale=loc)

    contenders = {
        "format_price(money, locale_str)": ours,
        "babel format_currency(locale=str)": babel_str,
        "babel format_currency(locale=Locale)": babel_locale,
    }
    # Enough passes for one babel sample to take at least 0.2 s; the same count for all.
    number, _ = timeit.Timer(babel_str).autorange()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for index in range(rounds):
        order = names if index % 2 == 0 else names[::-1]  # cancel drift within a round
        for name in order:
            samples[name].append(per_call_us(contenders[name], number, len(cases)))

    print()
    print(f"timing: {rounds} rounds, interleaved; each sample = {number} x {len(cases)} calls")
    print(f"  {'per call (µs)':38} {'median':>8} {'min':>8}")
    for name, values in samples.items():
        print(f"  {name:38} {statistics.median(values):8.2f} {min(values):8.2f}")
    ours_s = samples["format_price(money, locale_str)"]
    for label, key in (
        ("str locale", "babel format_currency(locale=str)"),
        ("pre-parsed Locale", "babel format_currency(locale=Locale)"),
    ):
        ratios = [theirs / mine for theirs, mine in zip(samples[key], ours_s, strict=True)]
        print(
            f"format_price speed-up vs babel ({label}): {statistics.median(ratios):.1f}x "
            f"(median of {rounds} rounds; min-vs-min "
            f"{min(samples[key]) / min(ours_s):.1f}x)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved timing rounds")
    args = parser.parse_args()
    cases = build_cases()
    failures = verify(cases)  # also warms both caches before timing
    if failures:
        print("FAIL: unexplained mismatches with babel", file=sys.stderr)
        return 1
    benchmark(cases, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
