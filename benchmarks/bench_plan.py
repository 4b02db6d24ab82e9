"""Sync jobs at catalog scale: planning speed and memory, and the calls a rerun makes.

1. **Plan** N listings × 3 targets (eBay DE, Amazon DE, Meta DE) from a generated JSONL
   catalog in a temporary directory, against an empty state: listings per second and the
   peak RSS of the process, at 10,000 and 100,000 listings (each size in its own process, so
   each peak is its own). Goal: at most 400 MB, and flat: 10x the catalog, not 10x the RSS.
2. **Run** a smaller catalog (``--run-listings``, default 1,000: the fake eBay looks offers
   up by scanning all of them, so its time grows with the square of the catalog) on the
   three fake marketplaces: the first sync; a second run with no change (write calls: 0);
   then 1 % of the home prices changed: the calls made beside the minimum for that change
   (one call per full batch of each operation at the marketplace's batch limit), with the
   calls per wire operation.

    python benchmarks/bench_plan.py [--sizes 10000 100000] [--run-listings 1000] [--only run]

Every figure is measured in the run that prints it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xborder as xb
from xborder.jobs import SQLiteStateStore, SyncJob
from xborder.jobs._demo import DemoWorld, demo_world

ROOT = Path(__file__).resolve().parent.parent
MARKETS = {"ebay": ("DE",), "amazon": ("DE",), "facebook": ("DE",)}
SETTINGS = {"facebook": {"base_market": "DE"}}


def templates() -> list[dict[str, Any]]:
    """The sample catalog's rows that every target can list (compliance ok everywhere)."""
    rates, seller = xb.rates.bundled(), xb.read_seller(ROOT / "examples" / "seller.json")
    rows = [json.loads(line) for line in (ROOT / "examples" / "catalog.jsonl").open()]
    keep = []
    for row in rows:
        listing = xb.Listing.model_validate(row)
        channels = ("ebay", "amazon", "facebook")
        if listing.quantity and all(
            xb.prepare(listing, "DE", channel=c, rates=rates, seller=seller, on=rates.as_of).ok
            for c in channels
        ):
            keep.append(row)
    return keep


def write_catalog(path: Path, n: int, *, reprice: float = 0.0) -> None:
    """Write ``n`` distinct listings (own SKU, title, price); ``reprice`` of them +5 %."""
    rows = templates()
    every = int(1 / reprice) if reprice else 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            row = dict(rows[i % len(rows)])
            row["sku"] = f"{row['sku'][:30]}-{i:06d}"
            row["title"] = f"{row['title'][:150]} No. {i}"
            amount = Decimal(row["price"]["amount"]) + Decimal(i % 97) / 100
            if every and i % every == 0:
                amount = (amount * Decimal("1.05")).quantize(Decimal("0.01"))
            row["price"] = {"amount": str(amount), "currency": row["price"]["currency"]}
            out.write(json.dumps(row) + "\n")


def world(start: datetime) -> DemoWorld:
    return demo_world(start=start, marketplaces=tuple(MARKETS), markets=MARKETS, settings=SETTINGS)


def job(catalog: Path, state: Path, w: DemoWorld) -> SyncJob:
    rates = xb.rates.bundled()
    return SyncJob(
        catalog,
        w.targets,
        rates=rates,
        seller=xb.read_seller(ROOT / "examples" / "seller.json"),
        state=SQLiteStateStore(state),
        clock=w.clock,
        http=w.http,
        on=rates.as_of,
    )


def child_plan(n: int) -> dict[str, Any]:
    """Plan ``n`` listings × 3 targets in this process; return speed and peak RSS."""
    with tempfile.TemporaryDirectory() as folder:
        catalog = Path(folder) / "catalog.jsonl"
        write_catalog(catalog, n)
        w = world(datetime(2026, 10, 30, 2, tzinfo=UTC))
        with job(catalog, Path(folder) / "state.sqlite", w) as j:
            started = time.perf_counter()
            report = j.plan()
            seconds = time.perf_counter() - started
        w.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "listings": report.listings,
        "offers": sum(sum(t.planned.values()) for t in report.targets.values()),
        "creates": report.planned("create"),
        "seconds": round(seconds, 1),
        "listings_per_second": round(report.listings / seconds),
        "peak_rss_mb": round(peak_kb / 1024),
    }


def plan_sizes(sizes: list[int]) -> None:
    print(f"Plan: N listings × 3 targets ({', '.join(f'{k} {v[0]}' for k, v in MARKETS.items())})")
    print(f"{'listings':>9} {'offers':>8} {'seconds':>8} {'listings/s':>11} {'peak RSS':>9}")
    peaks = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child-plan", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        peaks.append(figures["peak_rss_mb"])
        print(
            f"{figures['listings']:>9,} {figures['offers']:>8,} {figures['seconds']:>8} "
            f"{figures['listings_per_second']:>11,} {figures['peak_rss_mb']:>6} MB"
        )
    if len(peaks) > 1:
        print(
            f"peak RSS ratio, largest/smallest catalog: {peaks[-1] / peaks[0]:.2f} "
            f"(catalog ratio {sizes[-1] / sizes[0]:.0f})"
        )


def calls_by_operation(w: DemoWorld) -> dict[str, Counter[str]]:
    return {
        name: Counter(call.operation for call in fake.calls if call.operation != "token")
        for name, fake in w.fakes.items()
    }


def run_part(n: int) -> None:
    print(f"\nRun: {n:,} listings × 3 targets on the fake marketplaces")
    with tempfile.TemporaryDirectory() as folder:
        base, changed = Path(folder) / "catalog.jsonl", Path(folder) / "changed.jsonl"
        write_catalog(base, n)
        write_catalog(changed, n, reprice=0.01)
        state = Path(folder) / "state.sqlite"
        w = world(datetime(2026, 10, 30, 2, tzinfo=UTC))
        try:
            for label, catalog in (
                ("first sync", base),
                ("no change", base),
                ("1 % of prices changed", changed),
            ):
                w.reset_calls()
                started = time.perf_counter()
                with job(catalog, state, w) as j:
                    report = j.run()
                seconds = time.perf_counter() - started
                print(
                    f"  {label}: {report.calls} calls ({report.write_calls} writes), minimum "
                    f"{report.minimum_calls}; write calls the fakes saw: {w.writes()}; "
                    f"{seconds:.1f} s; failed {report.failed}"
                )
                for name, part in sorted(report.targets.items()):
                    planned = {op: c for op, c in part.planned.items() if c}
                    ops = dict(sorted(calls_by_operation(w)[name].items()))
                    print(
                        f"    {name}: planned {planned}; calls {part.calls}, minimum "
                        f"{part.minimum_calls}; by operation {ops}"
                    )
                w.clock.advance(24 * 3600)
        finally:
            w.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--run-listings", type=int, default=1_000)
    parser.add_argument("--only", choices=("plan", "run"), help="one part only")
    parser.add_argument("--child-plan", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_plan:
        print(json.dumps(child_plan(args.child_plan)))
        return
    if args.only != "run":
        plan_sizes(args.sizes)
    if args.only != "plan":
        run_part(args.run_listings)


if __name__ == "__main__":
    main()
