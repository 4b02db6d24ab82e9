"""``xborder check``: a readiness matrix of a catalog over several markets.

Each cell is one listing in one market: ``ready`` (no findings that need action),
``warnings`` (publishable, but read them) or ``blocked`` (at least one error), with the top
reason of every blocked or warned cell listed below the matrix. ``--json`` prints the same
as data, ``--csv FILE`` as a spreadsheet (``-``: on stdout instead of the table). The exit
status is 0 when nothing is blocked and 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TextIO

from xborder._csv import terminal_safe, to_csv
from xborder._text import table
from xborder.catalog import read_catalog, read_seller
from xborder.clock import today
from xborder.compliance._engine import check_many
from xborder.compliance._report import Report
from xborder.errors import ConfigurationError, InvalidListingError
from xborder.listing import Listing, Seller
from xborder.markets import Market

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MARKETS",
    "Readiness",
    "add_arguments",
    "matrix_csv",
    "readiness",
    "run",
    "write_matrix",
]

#: The markets ``xborder check`` checks when ``--to`` is not given.
DEFAULT_MARKETS = ("DE", "GB", "JP", "AU", "CA", "US")


@dataclass(frozen=True, slots=True)
class Readiness:
    """The reports of a catalog over several markets, with the matrix they make."""

    markets: tuple[str, ...]
    reports: tuple[tuple[str, tuple[Report, ...]], ...]  # (sku, one report per market)

    @property
    def blocked(self) -> int:
        """How many listing × market cells have at least one error."""
        return sum(1 for _, row in self.reports for report in row if not report.ok)

    @property
    def cells(self) -> int:
        """How many listing × market cells were checked."""
        return len(self.reports) * len(self.markets)


def _status(report: Report) -> str:
    if not report.ok:
        return "blocked"
    if report.warnings:
        return "warnings"
    return "ready"


def readiness(
    listings: Iterable[Listing],
    markets: Sequence[str],
    *,
    channel: str | None = None,
    seller: Seller | None = None,
    on: date,
) -> Readiness:
    """Check every listing in every market (one :func:`check_many` per market)."""
    resolved = [Market.for_country(code, on=on) for code in markets]
    listings = list(listings)
    columns = [
        check_many(listings, market, channel=channel, seller=seller, on=on) for market in resolved
    ]
    rows = tuple(
        (listing.sku, tuple(column[i] for column in columns)) for i, listing in enumerate(listings)
    )
    return Readiness(tuple(m.country for m in resolved), rows)


def write_matrix(
    result: Readiness, out: TextIO, *, reasons: Literal["all", "blocked", "none"] = "all"
) -> None:
    """Print the readiness matrix, then the top reason of each cell that is not ready.

    ``reasons="blocked"`` lists blocked cells only, each with the first sentence of its
    reason (the demo's compact form); ``"none"`` prints the matrix alone.
    """
    rows: list[tuple[str, ...]] = [("sku", *result.markets)]
    for sku, reports in result.reports:
        cells = []
        for report in reports:
            status = _status(report)
            count = len(report.errors) if status == "blocked" else len(report.warnings)
            cells.append(status if status == "ready" else f"{status} ({count})")
        rows.append((terminal_safe(sku), *cells))
    table(rows, out)
    out.write(
        f"\n{result.cells - result.blocked} of {result.cells} listing × market cells can be "
        f"published; {result.blocked} blocked\n"
    )
    if reasons == "none":
        return
    lines = []
    for sku, reports in result.reports:
        for market, report in zip(result.markets, reports, strict=True):
            status = _status(report)
            if status == "ready" or (reasons == "blocked" and status != "blocked"):
                continue
            top = report.errors[0] if report.errors else report.warnings[0]
            message = _first_sentence(top.message) if reasons == "blocked" else top.message
            lines.append((sku, market, status, top.code, terminal_safe(message)))
    if lines:
        which = "blocked cell" if reasons == "blocked" else "cell that is not ready"
        out.write(f"\ntop reason per {which}:\n")
        for sku, market, status, code, message in lines:
            out.write(f"  {terminal_safe(sku)} {market} {status}: {code}: {message}\n")


def _first_sentence(text: str, limit: int = 140) -> str:
    end = text.find(". ")
    sentence = text if end == -1 else text[: end + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


#: The columns of ``xborder check --csv``.
CSV_COLUMNS = ("sku", "market", "status", "errors", "warnings", "code", "reason")


def matrix_csv(result: Readiness, skipped: Iterable[InvalidListingError] = ()) -> str:
    """Return the readiness matrix as CSV text: one row per listing × market, then skipped rows.

    ``code`` and ``reason`` are the top finding of a cell that is not ready; a catalog row
    that could not be read is a row with status ``skipped`` and the error as its reason.
    Every text cell is escaped against spreadsheet formulas (see :mod:`xborder._csv`).
    """
    rows: list[tuple[object, ...]] = [CSV_COLUMNS]
    for sku, reports in result.reports:
        for market, report in zip(result.markets, reports, strict=True):
            top = [*report.errors, *report.warnings][:1]
            rows.append(
                (
                    sku,
                    market,
                    _status(report),
                    len(report.errors),
                    len(report.warnings),
                    top[0].code if top else "",
                    top[0].message if top else "",
                )
            )
    for error in skipped:
        rows.append((error.sku or "", "", "skipped", "", "", "", str(error)))
    return to_csv(rows)


def _json(result: Readiness, on: date) -> dict[str, Any]:
    return {
        "on": on.isoformat(),
        "markets": list(result.markets),
        "blocked": result.blocked,
        "cells": result.cells,
        "listings": [
            {
                "sku": sku,
                "markets": {
                    market: {"status": _status(report), **report.to_dict()}
                    for market, report in zip(result.markets, reports, strict=True)
                },
            }
            for sku, reports in result.reports
        ],
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``check`` subcommand's arguments to ``parser``."""
    parser.add_argument("catalog", type=Path, help="a catalog file (.csv or .jsonl)")
    parser.add_argument(
        "--to",
        default=",".join(DEFAULT_MARKETS),
        help=f"comma-separated country codes (default {','.join(DEFAULT_MARKETS)})",
    )
    parser.add_argument("--channel", help="marketplace rules to apply: ebay, amazon, facebook")
    parser.add_argument("--seller", type=Path, help="the seller file (see examples/seller.json)")
    parser.add_argument(
        "--on", type=date.fromisoformat, help="the date (YYYY-MM-DD), default today"
    )
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="also write the matrix as CSV, one row per listing and market, for a spreadsheet "
        "('-': print it instead of the table)",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``xborder check``; return 0 when nothing is blocked, 1 otherwise."""
    on: date = args.on or today()
    markets = [code.strip() for code in str(args.to).split(",") if code.strip()]
    if not markets:
        raise ConfigurationError("--to: give at least one country code, e.g. --to DE,GB")
    for code in markets:  # bad codes fail before the catalog is opened
        Market.for_country(code, on=on)
    seller = read_seller(args.seller) if args.seller else None
    with read_catalog(args.catalog, on_error="collect") as reader:
        result = readiness(reader, markets, channel=args.channel, seller=seller, on=on)
    if args.csv is not None and str(args.csv) != "-":
        # utf-8-sig: spreadsheet programs read a CSV as UTF-8 only when it starts with a BOM.
        try:
            with Path(args.csv).open("w", encoding="utf-8-sig", newline="") as handle:
                handle.write(matrix_csv(result, reader.errors))
        except OSError as exc:
            raise ConfigurationError(f"--csv: cannot write {args.csv}: {exc}") from None
    if args.csv is not None and str(args.csv) == "-":
        out.write(matrix_csv(result, reader.errors))
    elif args.json:
        data = _json(result, on)
        data["skipped_rows"] = [str(error) for error in reader.errors]
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(
            f"xborder check: {terminal_safe(str(args.catalog))} on {on.isoformat()}"
            f"{f', channel {args.channel}' if args.channel else ''}"
            f"{'' if seller else ' (no seller given: the strictest of US, EU and UK rules)'}\n\n"
        )
        write_matrix(result, out)
        for error in reader.errors:
            out.write(f"skipped: {terminal_safe(str(error))}\n")
    return 1 if result.blocked else 0
