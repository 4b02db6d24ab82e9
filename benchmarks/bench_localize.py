"""localize() against validating and dumping the reference listing model, in the same run.

The issue's bar: localize() with seller translations and the glossary, each call on a
distinct listing, costs at most 1.5x of `Listing.model_validate(payload)` +
`model_dump_json()` of the reference listing model from the FX/formatting research
(copied below verbatim in shape: the pydantic model the research benchmarked).

Distinct listings: every call gets its own Listing (own SKU, own title, own attribute
values) built from the sample catalog; descriptions repeat across variants as they do in
real catalogs, and the per-text-hash caches (sanitised HTML, fitted titles) are allowed to
serve them. No whole result is cached.

    python benchmarks/bench_localize.py [--rounds 5] [--listings 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

import xborder as xb
from xborder.localize import localize

# -- the reference model (research/fx-bench.py) ---------------------------------------------

Code3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Price(BaseModel):
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]
    currency: Code3


class RefWeight(BaseModel):
    value: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=3)]
    unit: Literal["g", "kg", "oz", "lb"]


class RefDimensions(BaseModel):
    length: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    width: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    height: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    unit: Literal["cm", "mm", "in"]


class RefListing(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)]
    price: Price
    quantity: Annotated[int, Field(ge=0)]
    images: Annotated[list[HttpUrl], Field(max_length=10)]
    attributes: dict[str, str]
    weight: RefWeight
    dimensions: RefDimensions
    hs_code: Annotated[str, Field(pattern=r"^\d{6,10}$")]
    origin_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    gtin: Annotated[str, Field(pattern=r"^\d{8}$|^\d{12,14}$")]


def make_payload(i: int = 0) -> dict[str, Any]:
    desc = (
        f"Item {i}: " + "Durable stainless-steel water bottle, double-wall vacuum insulated, keeps "
        "drinks cold for 24 hours and hot for 12. Leak-proof lid, BPA-free, fits most cup "
        "holders. Powder-coated finish resists scratches. Dishwasher safe (lid hand-wash). "
        "Includes carabiner loop. Capacity 750 ml. Ideal for hiking, cycling, office and gym. "
        "Lifetime warranty against manufacturing defects; see leaflet for care instructions."
    )
    desc = (desc * 2)[:500]
    return {
        "sku": f"BTL-750-{i:07d}",
        "title": f"Insulated Water Bottle 750 ml - Matte Black #{i}",
        "description": desc,
        "price": {"amount": "24.99", "currency": "EUR"},
        "quantity": 120 + (i % 50),
        "images": [f"https://cdn.example.com/img/{i}/{k}.jpg?w=1200" for k in range(5)],
        "attributes": {
            "color": "black",
            "material": "stainless steel 18/8",
            "capacity": "750 ml",
            "brand": "Acme",
            "model": f"AQ-{i % 1000}",
            "warranty": "lifetime",
            "dishwasher_safe": "yes",
            "bpa_free": "yes",
            "insulation": "double wall vacuum",
            "lid": "screw cap",
        },
        "weight": {"value": "0.380", "unit": "kg"},
        "dimensions": {"length": "7.50", "width": "7.50", "height": "27.00", "unit": "cm"},
        "hs_code": "9617000000",
        "origin_country": "CN",
        "gtin": "4006381333931",
    }


# -- the xborder side -------------------------------------------------------------------------


def distinct_listings(n: int) -> list[xb.Listing]:
    """n listings, each with its own SKU and title, made from the sample catalog."""
    root = Path(__file__).resolve().parent.parent
    catalog = list(xb.read_catalog(root / "examples" / "catalog.csv"))
    out = []
    for i in range(n):
        base = catalog[i % len(catalog)]
        german = base.translations.get("de")
        translations = dict(base.translations)
        if german is not None and german.title:
            translations["de"] = german.model_copy(update={"title": f"{german.title} Nr. {i}"})
        out.append(
            base.model_copy(
                update={
                    "sku": f"{base.sku[:40]}-{i}",
                    "title": f"{base.title[:60]} No. {i}",
                    "translations": translations,
                }
            )
        )
    return out


def side_by_side(
    call: Callable[[xb.Listing, xb.Market], object],
    listings: Sequence[xb.Listing],
    markets: Sequence[xb.Market],
    payloads: Sequence[dict[str, Any]],
    rounds: int,
) -> tuple[list[float], list[float]]:
    """Time ``call`` over every listing and the reference over every payload, per round.

    Each round runs both, one after the other, so load on the machine hits both alike; the
    market changes every round. Returns seconds per call: (call, reference), one per round.
    """
    per_call: list[float] = []
    per_reference: list[float] = []
    for r in range(rounds):
        market = markets[r % len(markets)]
        started = time.perf_counter()
        for listing in listings:
            call(listing, market)
        per_call.append((time.perf_counter() - started) / len(listings))
        started = time.perf_counter()
        for payload in payloads:
            RefListing.model_validate(payload).model_dump_json()
        per_reference.append((time.perf_counter() - started) / len(payloads))
    return per_call, per_reference


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--listings", type=int, default=2000)
    args = parser.parse_args()

    on = xb.rates.bundled().as_of
    markets = [xb.Market.for_country(code, on=on) for code in ("DE", "FR", "JP")]
    listings = distinct_listings(args.listings)
    payloads = [make_payload(i) for i in range(args.listings)]
    # Warm both paths once (babel data, per-locale patterns); then every timed call is on a
    # listing it has not seen in this round.
    for listing in listings[:50]:
        for market in markets:
            localize(listing, market, channel="ebay", on=on)
    for payload in payloads[:50]:
        RefListing.model_validate(payload).model_dump_json()

    per_localize, per_reference = side_by_side(
        lambda listing, market: localize(listing, market, channel="ebay", on=on),
        listings,
        markets,
        payloads,
        args.rounds,
    )

    loc = statistics.median(per_localize) * 1e6
    ref = statistics.median(per_reference) * 1e6
    print(
        f"{args.listings} distinct listings per round, {args.rounds} rounds "
        f"(markets DE, FR, JP in turn; channel ebay)"
    )
    print(f"localize():                            median {loc:.1f} us per call")
    print(f"reference model_validate + dump_json:  median {ref:.1f} us per call")
    ratio = loc / ref
    print(f"localize() / reference: {ratio:.2f}x (goal <= 1.5x)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
