"""The ``xborder`` command.

``xborder demo`` prices the sample catalog into ten markets, offline and without credentials,
and prints what a buyer in each market would see, with the exchange rate used (value, date,
source).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TextIO

from xborder import rates as rates_module
from xborder._csv import terminal_safe
from xborder._demo_publish import publish
from xborder._text import table
from xborder.catalog import read_catalog, read_csv, read_seller
from xborder.compliance import _cli as check_cli
from xborder.errors import XborderError
from xborder.jobs import _cli as jobs_cli
from xborder.jobs._demo import tour
from xborder.listing import Listing
from xborder.localize.content import localize
from xborder.localize.formatting import format_price
from xborder.marketplaces.ebay import _cli as ebay_cli
from xborder.markets import Market
from xborder.markets import _cli as markets_cli
from xborder.pricing import PriceQuote, PricingPolicy, quote

__all__ = ["DEMO_CHECKED", "DEMO_LOCALIZED", "DEMO_MARKETS", "DEMO_POLICY", "main"]

#: The markets the demo prices into: the euro twice (two locales), then nine other currencies.
DEMO_MARKETS = ("DE", "FR", "GB", "JP", "CA", "AU", "CH", "SE", "PL", "MX")

#: The markets whose buyers read another language, for the demo's localization section.
DEMO_LOCALIZED = ("DE", "JP")

#: The markets of the demo's readiness matrix (NO shows the knife rule the facts list there).
DEMO_CHECKED = ("DE", "GB", "JP", "AU", "CA", "US", "NO")

#: The demo's policy: a 2 % FX buffer, VAT added where prices are shown tax-inclusive, and
#: the endings buyers in those markets are used to.
DEMO_POLICY = PricingPolicy(
    fx_buffer_percent=Decimal(2),
    endings={
        "EUR": ".99",
        "GBP": ".99",
        "CAD": ".99",
        "AUD": ".95",
        "CHF": ".90",
        "JPY": "100",
        "SEK": "whole",
        "PLN": ".99",
        "MXN": "whole",
    },
)


def _sample_seller() -> Path:
    """Return the sample seller file, like :func:`_sample_catalog`."""
    packaged = Path(str(resources.files("xborder").joinpath("data/examples/seller.json")))
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples" / "seller.json"


def _sample_catalog() -> Path:
    """Return the sample catalog: the copy in the wheel, else the checkout's (editable install)."""
    packaged = Path(str(resources.files("xborder").joinpath("data/examples/catalog.csv")))
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"


def _short_rate(value: Decimal) -> str:
    # For reading only: 6 significant digits, no exponent.
    return f"{value:.6g}" if value >= Decimal("0.000001") else f"{value:.6e}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _visible(text: str) -> str:
    # Show the no-break spaces CLDR uses as ordinary spaces so the table aligns in terminals,
    # and any control character from the catalog as an escape rather than raw.
    return terminal_safe(text.replace("\u00a0", " ").replace("\u202f", " "))


def demo(out: TextIO, *, catalog: Path | None, limit: int | None) -> int:
    """Price the sample catalog into :data:`DEMO_MARKETS` and print the table."""
    source = rates_module.bundled()
    on = source.as_of
    path = catalog or _sample_catalog()
    reader = (
        read_catalog(path, on_error="collect") if catalog else read_csv(path, on_error="collect")
    )
    markets = [Market.for_country(code, on=on) for code in DEMO_MARKETS]

    started = time.perf_counter()
    quotes: list[tuple[str, Market, PriceQuote]] = []
    kept: list[Listing] = []  # the listings shown, for the localization section
    listings = 0
    for listing in reader:
        listings += 1
        if limit is None or len(kept) < limit:
            kept.append(listing)
        for market in markets:
            q = quote(
                listing.price,
                market,
                rates=source,
                policy=DEMO_POLICY,
                on=on,
                cost=listing.cost,
                sku=listing.sku,
            )
            quotes.append((listing.sku, market, q))
    elapsed = time.perf_counter() - started

    out.write("xborder demo: the sample catalog priced for buyers abroad (offline)\n")
    out.write(f"catalog: {terminal_safe(path.name)} ({_plural(listings, 'listing')})\n")
    out.write(f"rates:   {source.source}; priced on {on.isoformat()}, the snapshot's date\n")
    out.write("policy:  2 % FX buffer, VAT added where prices show it, local price endings\n\n")

    notes: dict[str, str] = {}

    def note(source_text: str) -> str:
        return notes.setdefault(source_text, f"[{len(notes) + 1}]")

    home = quotes[0][2].source.currency if quotes else "USD"
    header = (
        "market",
        "currency",
        "locale",
        "VAT",
        f"1 {home} =",
        "ECB: 1 EUR =",
        "date",
        "source",
    )
    rate_rows = [header]
    for market in markets:
        first = next((q for _, m, q in quotes if m is market), None)
        rate = first.rate if first else None
        vat = first.vat_rate if first else market.vat_rate
        published = source.rate("EUR", market.currency, on=on) if market.currency != "EUR" else None
        rate_rows.append(
            (
                market.country,
                market.currency,
                market.locale,
                f"{vat} %" if vat is not None else "-",
                _short_rate(rate.value) if rate else "1",
                str(published.value) if published else "1",
                rate.as_of.isoformat() if rate else on.isoformat(),
                note(rate.source) if rate else "-",
            )
        )
    table(rate_rows, out, right=frozenset({4, 5}))
    for text, mark in notes.items():
        out.write(f"{mark} {text}\n")
    out.write(
        "Rates are shown to 6 significant digits; prices use the exact cross rate "
        "(the ECB's EUR rates divided in Decimal).\n\n"
    )

    shown_skus: list[str] = []
    for sku, _, _ in quotes:
        if sku not in shown_skus:
            shown_skus.append(sku)
    if limit is not None:
        shown_skus = shown_skus[:limit]
    wanted = set(shown_skus)
    rows = [("sku", "market", "home price", "rate", "date", "source", "price", "buyer sees")]
    for sku, market, q in quotes:
        if sku not in wanted:
            continue
        rows.append(
            (
                sku,
                market.country,
                str(q.source),
                _short_rate(q.rate.value) if q.rate else "1",
                q.rate.as_of.isoformat() if q.rate else on.isoformat(),
                note(q.rate.source) if q.rate else "-",
                str(q.price),
                _visible(format_price(q.price, market.locale)),
            )
        )
    table(rows, out, right=frozenset({2, 3, 6}))
    hidden = listings - len(shown_skus)
    out.write("\n")
    if hidden > 0:
        out.write(f"({hidden} more listings priced; run `xborder demo --all` to show them)\n")
    out.write(
        f"priced {len(quotes)} offers ({_plural(listings, 'listing')} × {len(markets)} markets) "
        f"in {elapsed * 1000:.0f} ms\n"
    )
    for error in reader.errors:
        out.write(f"skipped: {terminal_safe(str(error))}\n")
    _localized(out, kept, quotes, on=on)
    if catalog is None:
        _readiness(out, path, on=on)
        # The publishing section and the sync tour each read the catalog anew (a sync job
        # reads its catalog on every run); the seller and pricing are the same for both.
        seller = read_seller(_sample_seller())
        show = {listing.sku for listing in kept} if limit is not None else None
        publish(
            out, read_csv(path), rates=source, policy=DEMO_POLICY, seller=seller, on=on, show=show
        )
        tour(out, read_csv(path), rates=source, policy=DEMO_POLICY, seller=seller, on=on)
    return 0


def _readiness(out: TextIO, path: Path, *, on: date) -> None:
    """Print the sample catalog's readiness matrix (what ``xborder check`` prints)."""
    seller = read_seller(_sample_seller())
    listings = read_catalog(path)
    result = check_cli.readiness(listings, DEMO_CHECKED, seller=seller, on=on)
    out.write(
        f"\nReadiness of the sample catalog on {on.isoformat()} for "
        f"{', '.join(DEMO_CHECKED)}, as the sample seller (examples/seller.json); "
        f"`xborder check` prints the same for any catalog\n\n"
    )
    check_cli.write_matrix(result, out, reasons="blocked")


def _localized(
    out: TextIO,
    listings: Sequence[Listing],
    quotes: Sequence[tuple[str, Market, PriceQuote]],
    *,
    on: date,
) -> None:
    """Print the shown listings as buyers in :data:`DEMO_LOCALIZED` read them on eBay."""
    prices = {(sku, market.country): q.price for sku, market, q in quotes}
    markets = [Market.for_country(code, on=on) for code in DEMO_LOCALIZED]
    described = ", ".join(f"{m.country} ({m.locale}, {m.measurement})" for m in markets)
    out.write(
        f"\nLocalized for buyers in {described} on channel ebay, offline: text from the "
        f"seller's translations and xborder's glossary (no machine translation was run)\n\n"
    )
    rows: list[tuple[str, ...]] = [("sku", "market", "field", "text", "from")]
    for listing in listings:
        for market in markets:
            content = localize(
                listing,
                market,
                channel="ebay",
                price=prices.get((listing.sku, market.country)),
                on=on,
            )
            first = (listing.sku, market.country)
            rows.append((*first, "title", content.title.text, str(content.title.provenance)))
            first = ("", "")
            for attribute in content.attributes:
                kinds = {str(v.provenance) for v in attribute.values}
                names = str(attribute.name.provenance)
                rows.append(
                    (
                        *first,
                        attribute.key,
                        f"{attribute.name.text}: " + ", ".join(v.text for v in attribute.values),
                        " / ".join(sorted({names} | kinds)),
                    )
                )
            rows.append(
                (*first, "condition", content.condition.text, str(content.condition.provenance))
            )
            if content.weight is not None:
                rows.append((*first, "weight", content.weight.text, "converted"))
            if content.dimensions is not None:
                rows.append((*first, "size", content.dimensions.text, "converted"))
            if content.price is not None:
                rows.append((*first, "price", _visible(content.price), "quoted"))
            notes = sorted({f"{f.code} ({f.field})" for f in content.findings})
            if notes:
                rows.append((*first, "findings", "; ".join(notes), ""))
    table([tuple(_visible(cell) for cell in row) for row in rows], out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xborder", description="Cross-border selling for marketplace listings."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo_p = sub.add_parser("demo", help="price the sample catalog into ten markets (offline)")
    demo_p.add_argument(
        "--catalog", type=Path, help="a catalog file (.csv or .jsonl) instead of the sample"
    )
    group = demo_p.add_mutually_exclusive_group()
    group.add_argument("--limit", type=int, default=6, help="listings to show (default 6)")
    group.add_argument("--all", action="store_true", help="show every listing")
    markets_p = sub.add_parser("markets", help="sourced market facts (VAT, de minimis) on a date")
    markets_cli.add_arguments(markets_p)
    check_p = sub.add_parser(
        "check",
        help="check a catalog against each market's rules (exit 1 when a listing is blocked, "
        "2 on bad input)",
    )
    check_cli.add_arguments(check_p)
    jobs_cli.add_parsers(sub)
    ebay_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the ``xborder`` command line; return the exit status."""
    args = _parser().parse_args(argv)
    stream = out or sys.stdout
    try:
        if args.command == "demo":
            return demo(stream, catalog=args.catalog, limit=None if args.all else args.limit)
        if args.command == "markets":
            return markets_cli.run(args, stream)
        if args.command == "check":
            return check_cli.run(args, stream)
        if args.command == "auth":
            return ebay_cli.run(args, stream)
        if args.command in jobs_cli.COMMANDS:
            return jobs_cli.run(args, stream)
    except XborderError as exc:
        sys.stderr.write(f"xborder: error: {terminal_safe(str(exc))}\n")
        # `check` uses 1 for "a listing is blocked"; trouble with the input is 2 there.
        return 2 if args.command == "check" else 1
    except BrokenPipeError:
        # The reader went away (`xborder markets | head`): stop quietly, as Unix tools do.
        _silence_stdout()
        return 0
    return 2  # pragma: no cover - argparse rejects unknown commands first


def _silence_stdout() -> None:
    # Python would otherwise report the broken pipe again when it flushes stdout at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout is not a real file
        pass
    finally:
        os.close(devnull)
