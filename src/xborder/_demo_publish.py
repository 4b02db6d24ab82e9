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
from typing import TextIO

from pydantic import SecretStr

from xborder._text import table
from xborder.client import Client
from xborder.listing import CATEGORIES, Listing, Seller
from xborder.marketplaces import Adapter, ItemResult
from xborder.offer import Offer, prepare
from xborder.pricing import PricingPolicy
from xborder.rates import RateSource
from xborder.testing import FakeClock, FakeMarketplace

__all__ = ["DemoTarget", "publish", "targets"]

# Made-up credentials the fakes accept: the demo never talks to a real marketplace.
_CLIENT_ID = "xborder-demo-app"
_CLIENT_SECRET = "xborder-demo-secret"
_REFRESH_TOKEN = "xborder-demo-refresh-token"
_META_TOKEN = "xborder-demo-system-user-token"
_DEMO_CATEGORIES = sorted(CATEGORIES)


@dataclass(frozen=True, slots=True)
class DemoTarget:
    """One marketplace of the demo: its channel, markets, adapter and in-memory fake."""

    channel: str
    markets: tuple[str, ...]
    build: Callable[[FakeClock], tuple[Adapter, FakeMarketplace]]
    describe: Callable[[FakeMarketplace], str] | None = None


def _ebay(clock: FakeClock) -> tuple[Adapter, FakeMarketplace]:
    from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
    from xborder.testing.ebay import FakeEbay

    fake = FakeEbay(clock=clock, clients={_CLIENT_ID: _CLIENT_SECRET})
    fake.add_seller(_REFRESH_TOKEN, client_id=_CLIENT_ID)

    def site(number: str) -> dict[str, object]:
        return {
            "fulfillment_policy_id": f"{number}1",
            "payment_policy_id": f"{number}2",
            "return_policy_id": f"{number}3",
            "merchant_location_key": "DEMO-WAREHOUSE",
            # Made-up category ids: a real seller maps its categories to eBay's tree.
            "categories": {category: str(10000 + n) for n, category in enumerate(_DEMO_CATEGORIES)},
        }

    settings = EbaySettings(
        client_id=_CLIENT_ID,
        client_secret=SecretStr(_CLIENT_SECRET),
        refresh_token=SecretStr(_REFRESH_TOKEN),
        sites={"EBAY_DE": site("600"), "EBAY_GB": site("700")},
    )
    return EbayAdapter(settings), fake


def _facebook(clock: FakeClock) -> tuple[Adapter, FakeMarketplace]:
    from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
    from xborder.testing.facebook import FakeFacebookCatalog

    catalog = "1000000000000001"
    fake = FakeFacebookCatalog(clock=clock, catalog_id=catalog, access_token=_META_TOKEN)
    settings = FacebookSettings(
        catalog_id=catalog, access_token=SecretStr(_META_TOKEN), base_market="GB"
    )
    return FacebookAdapter(settings), fake


def _amazon(clock: FakeClock) -> tuple[Adapter, FakeMarketplace]:
    from xborder.marketplaces.amazon import AmazonAdapter
    from xborder.testing.amazon import FakeAmazon

    fake = FakeAmazon(clock=clock)
    # Amazon product types by the sample catalog's categories (a real seller picks them from
    # the Product Type Definitions API); anything else is listed as a generic PRODUCT.
    settings = fake.seller_settings(
        product_types={
            "home.drinkware": "DRINKING_CUP",
            "home.tableware": "DINNERWARE_SET",
            "home.candles": "CANDLE",
            "home.decor": "HOME_BED_AND_BATH",
            "home.textiles": "KITCHEN_TOWEL",
            "art.prints": "ART_PRINT",
            "jewellery": "NECKLACE",
            "stationery": "NOTEBOOK",
        },
        default_product_type="PRODUCT",
    )
    return AmazonAdapter(settings), fake


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
        DemoTarget("ebay", ("DE", "GB"), _ebay),
        DemoTarget("amazon", ("DE", "GB", "JP"), _amazon),
        # One catalog item per product in the base market (GB); the other markets are
        # COUNTRY overrides (price, availability) and LANGUAGE overrides (title, text).
        DemoTarget("facebook", ("GB", "DE", "FR"), _facebook, _describe_catalog),
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
