"""quote() (no formatting) against one babel.numbers.format_currency call, in the same run.

The issue's bar: quote() costs at most half of a format_currency(amount, currency,
locale=<str>) call. Both are timed interleaved over the same cases (the demo markets and
policy, the sample catalog's prices) on the bundled ECB snapshot's date; the ratio is what
counts, since the machine is noisy.

    python benchmarks/bench_quote.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from decimal import Decimal

from babel.numbers import format_currency

import xborder as xb
from xborder.cli import DEMO_MARKETS, DEMO_POLICY


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    rates = xb.rates.bundled()
    on = rates.as_of
    markets = [xb.Market.for_country(code, on=on) for code in DEMO_MARKETS]
    prices = [xb.Money(p, "USD") for p in ("12.00", "24.50", "38.00", "64.00", "149.99", "180.00")]
    cases = [(p, m) for p in prices for m in markets]
    # The babel call formats an amount of the same size in the market's currency and locale.
    babel_cases = [(Decimal("1234.5678"), m.currency, m.locale) for m in markets]
    # Warm both paths (rate caches, babel's locale data) before timing.
    for price, market in cases:
        xb.quote(price, market, rates=rates, policy=DEMO_POLICY, on=on)
    for amount, currency, locale in babel_cases:
        format_currency(amount, currency, locale=locale)

    def run_quote() -> None:
        for price, market in cases:
            xb.quote(price, market, rates=rates, policy=DEMO_POLICY, on=on)

    def run_babel() -> None:
        for amount, currency, locale in babel_cases:
            format_currency(amount, currency, locale=locale)

    per_quote: list[float] = []
    per_babel: list[float] = []
    for _ in range(args.rounds):
        # Interleaved: each round times both, so load on the machine hits both alike.
        per_quote.append(min(timeit.repeat(run_quote, number=20, repeat=3)) / (20 * len(cases)))
        per_babel.append(
            min(timeit.repeat(run_babel, number=120, repeat=3)) / (120 * len(babel_cases))
        )
    q = statistics.median(per_quote) * 1e6
    b = statistics.median(per_babel) * 1e6
    print(
        f"cases: {len(cases)} quotes ({len(prices)} prices x {len(markets)} markets), "
        f"{len(babel_cases)} babel calls per pass; {args.rounds} rounds"
    )
    print(
        f"quote() with the demo policy: median {q:.2f} us per call (min {min(per_quote) * 1e6:.2f})"
    )
    print(
        f"babel format_currency(str locale): median {b:.2f} us per call "
        f"(min {min(per_babel) * 1e6:.2f})"
    )
    ratio = q / b
    print(f"quote() cost / babel format_currency cost: {ratio:.2f}x (target <= 0.5x)")
    return 0 if ratio <= 0.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
