"""The demo's last section: publish the sample catalog's ready listings to fake marketplaces.

Everything runs in memory: the fakes of :mod:`xborder.testing` answer through
:class:`httpx.MockTransport` on a :class:`~xborder.testing.FakeClock`, so the demo needs no
network and no credentials, and shows the same per-item results a real run returns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import TextIO

from xborder._text import table
from xborder.client import Client
from xborder.jobs._demo import demo_marketplace
from xborder.listing import Listing, Seller
from xborder.marketplaces import Adapter, ItemResult
from xborder.offer import Offer, prepare
from xborder.pricing import PricingPolicy
from xborder.rates import RateSource
from xborder.testing import FakeClock, FakeMarketplace

__all__ = ["DemoTarget", "publish", "targets"]


@dataclass(frozen=True, slots=True)
class DemoTarget:
    """One marketplace of the demo: its channel, markets, adapter and in-memory fake."""

    channel: str
    markets: tuple[str, ...]
    build: Callable[[FakeClock], tuple[Adapter, FakeMarketplace]]
    describe: Callable[[FakeMarketplace], str] | None = None


def _describe_catalog(fake: FakeMarketplace) -> str:
    from xborder.testing.facebook import FakeFacebookCatalog

    assert isinstance(fake, FakeFacebookCatalog)
    items = fake.items()
    kinds = Counter(kind for sku in items for kind in fake.overrides(sku))
    overrides = ", ".join(f"{kind} ×{n}" for kind, n in sorted(kinds.items()))
    return f"catalog now holds {len(items)} items; overrides: {overrides or 'none'}"


def targets() -> tuple[DemoTarget, ...]:
    """Return the marketplaces the demo publishes to, with the markets of each."""
    return (
        DemoTarget("ebay", ("DE", "GB"), partial(demo_marketplace, "ebay")),
        DemoTarget("amazon", ("DE", "GB", "JP"), partial(demo_marketplace, "amazon")),
        # One catalog item per product in the base market (GB); the other markets are
        # COUNTRY overrides (price, availability) and LANGUAGE overrides (title, text).
        DemoTarget(
            "facebook", ("GB", "DE", "FR"), partial(demo_marketplace, "facebook"), _describe_catalog
        ),
    )


def publish(
    out: TextIO,
    listings: Iterable[Listing],
    *,
    rates: RateSource,
    policy: PricingPolicy,
    seller: Seller,
    on: date,
    show: set[str] | None = None,
    only: Sequence[DemoTarget] | None = None,
) -> None:
    """Prepare every listing for each demo target, publish the ready ones, print results.

    ``show`` limits the result rows printed to those SKUs (all are published); ``only``
    picks some of the :func:`targets`.
    """
    catalog = list(listings)
    out.write(
        "\nPublishing the ready listings to in-memory fake marketplaces (xborder.testing; "
        "no network, no credentials)\n"
    )
    for target in only if only is not None else targets():
        clock = FakeClock(datetime(on.year, on.month, on.day, 9, tzinfo=UTC))
        adapter, fake = target.build(clock)
        offers: list[Offer] = []
        blocked: list[Offer] = []
        for market in target.markets:
            for listing in catalog:
                offer = prepare(
                    listing,
                    market,
                    channel=target.channel,
                    rates=rates,
                    policy=policy,
                    seller=seller,
                    on=on,
                )
                (offers if offer.ok else blocked).append(offer)
        with fake, fake.http_client() as http, Client(http=http, clock=clock) as client:
            results = client.marketplace(adapter).upsert(offers)
            _write_results(out, target, offers, results, blocked, fake, show)
            if target.describe is not None:
                out.write(target.describe(fake) + "\n")


def _write_results(
    out: TextIO,
    target: DemoTarget,
    offers: Sequence[Offer],
    results: Sequence[ItemResult],
    blocked: Sequence[Offer],
    fake: FakeMarketplace,
    show: set[str] | None,
) -> None:
    out.write(
        f"\n{target.channel} ({', '.join(target.markets)}): {len(offers)} offers sent, "
        f"{len(blocked)} held back by the compliance check\n\n"
    )
    rows = [("sku", "market", "price", "result", "state", "marketplace ids")]
    for offer, result in zip(offers, results, strict=True):
        if show is not None and offer.key.sku not in show:
            continue
        shown = [f"{k}={v}" for k, v in (result.remote.ids.items() if result.remote else ())]
        ids = ", ".join(shown)
        if len(ids) > 64:  # keep the table readable; every id is in the ItemResult
            ids = ids[:63] + "…"
        detail: str = result.status
        if result.issues:
            detail += ": " + "; ".join(str(issue) for issue in result.issues[:2])
        rows.append(
            (
                offer.key.sku,
                offer.key.market,
                offer.display_price.replace("\xa0", " "),
                detail,
                result.state or "-",
                ids or "-",
            )
        )
    table(rows, out)
    statuses = Counter(result.status for result in results)
    hidden = len(results) - (len(rows) - 1)
    more = f" ({hidden} not shown)" if hidden else ""
    out.write(
        f"results: {statuses['ok']} ok, {statuses['failed']} failed, "
        f"{statuses['pending']} pending{more}\n"
    )
    calls = ", ".join(f"{op} ×{n}" for op, n in sorted(fake.counts().items()))
    out.write(f"HTTP calls: {calls}\n")
    if blocked:
        skus = sorted({f"{o.key.sku} ({o.key.market})" for o in blocked})
        out.write(f"held back: {', '.join(skus)}\n")
