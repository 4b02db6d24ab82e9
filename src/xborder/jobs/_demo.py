"""The sync part of ``xborder demo``: the sample catalog synced to fake eBay, Amazon and Meta.

Offline and without credentials: the fakes of :mod:`xborder.testing` answer through one
``httpx.MockTransport`` on a :class:`~xborder.testing.FakeClock`, and the state lives in a
temporary SQLite file. :func:`tour` prints the steps a seller would see over a few nights:

1. the first sync (creates), with its report;
2. the second run: nothing changed, so zero write calls;
3. a price change on two listings and an FX move of the euro: only what changed is sent,
   as price/quantity updates, rate moves under the threshold left alone;
4. the reports of each run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import httpx
from pydantic import SecretStr

from xborder._text import table
from xborder.jobs._fakes import MovedRates, transport
from xborder.jobs._job import SyncJob
from xborder.jobs._report import SyncReport
from xborder.jobs._target import Target
from xborder.listing import CATEGORIES, Listing, Seller
from xborder.marketplaces import Adapter
from xborder.money import Money
from xborder.pricing import PricingPolicy
from xborder.rates import RateSource
from xborder.testing import FakeClock, FakeMarketplace

__all__ = ["DemoWorld", "demo_environ", "demo_world", "tour"]

# Made-up credentials the fakes accept: the demo never talks to a real marketplace.
_CLIENT_ID = "xborder-demo-app"
_CLIENT_SECRET = "xborder-demo-secret"
_REFRESH_TOKEN = "xborder-demo-refresh-token"
_META_TOKEN = "xborder-demo-system-user-token"
_SELLER_ID = "A1XBORDERDEMO"
_CATALOG_ID = "1234567890123456"


def demo_environ() -> dict[str, str]:
    """Return the environment variables that reach the demo's fakes (made-up credentials).

    With these set, a job configured from a TOML file (examples/xborder.toml) runs against
    :func:`demo_world`'s fakes: pass ``http=world.http`` and ``clock=world.clock`` to
    :meth:`SyncJob.from_config`.
    """
    return {
        "XBORDER_EBAY_CLIENT_ID": _CLIENT_ID,
        "XBORDER_EBAY_CLIENT_SECRET": _CLIENT_SECRET,
        "XBORDER_EBAY_REFRESH_TOKEN": _REFRESH_TOKEN,
        "XBORDER_AMAZON_CLIENT_ID": _CLIENT_ID,
        "XBORDER_AMAZON_CLIENT_SECRET": _CLIENT_SECRET,
        "XBORDER_AMAZON_REFRESH_TOKEN": _REFRESH_TOKEN,
        "XBORDER_AMAZON_SELLER_ID": _SELLER_ID,
        "XBORDER_FACEBOOK_ACCESS_TOKEN": _META_TOKEN,
        "XBORDER_FACEBOOK_CATALOG_ID": _CATALOG_ID,
    }


#: The markets of each demo marketplace.
MARKETS: dict[str, tuple[str, ...]] = {
    "ebay": ("DE", "GB"),
    "amazon": ("DE", "FR"),
    "facebook": ("GB", "DE"),
}

#: Amazon product types for the sample catalog's categories (the demo's choice).
_PRODUCT_TYPES = {
    "home.drinkware": "DRINKING_CUP",
    "home.tableware": "DINNERWARE",
    "home.textiles": "TABLECLOTH",
    "home.candles": "CANDLE",
    "home.decor": "HOME",
    "bags.leather_goods": "HANDBAG",
    "jewellery": "NECKLACE",
    "art.prints": "HOME",
    "stationery": "NOTEBOOK",
}


@dataclass
class DemoWorld:
    """The fakes, their clock and an HTTP client reaching all of them."""

    clock: FakeClock
    fakes: dict[str, FakeMarketplace]
    targets: list[Target]
    http: httpx.Client

    def async_http(self) -> httpx.AsyncClient:
        """Return an :class:`httpx.AsyncClient` reaching the fakes (for ``arun``)."""
        return httpx.AsyncClient(transport=transport(list(self.fakes.values())))

    def writes(self) -> int:
        """Return the write calls the fakes received (token requests aside)."""
        return sum(
            1
            for fake in self.fakes.values()
            for call in fake.calls
            if call.method not in ("GET", "HEAD") and call.operation != "token"
        )

    def reset_calls(self) -> None:
        """Forget the calls counted so far."""
        for fake in self.fakes.values():
            fake.reset_calls()

    def close(self) -> None:
        """Close the HTTP client and the fakes."""
        self.http.close()
        for fake in self.fakes.values():
            fake.close()


def _ebay(clock: FakeClock, persist: Path | None) -> tuple[Adapter, FakeMarketplace]:
    from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
    from xborder.testing.ebay import FakeEbay

    fake = FakeEbay(
        clock=clock,
        clients={_CLIENT_ID: _CLIENT_SECRET},
        persist_to=persist / "ebay.sqlite" if persist else None,
    )
    fake.add_seller(_REFRESH_TOKEN, client_id=_CLIENT_ID)

    def site(number: str) -> dict[str, Any]:
        return {
            "fulfillment_policy_id": f"{number}1",
            "payment_policy_id": f"{number}2",
            "return_policy_id": f"{number}3",
            "merchant_location_key": "DEMO-WAREHOUSE",
            # Made-up category ids: a real seller maps its categories to eBay's tree.
            "categories": {c: str(10000 + n) for n, c in enumerate(sorted(CATEGORIES))},
        }

    settings = EbaySettings(
        client_id=_CLIENT_ID,
        client_secret=SecretStr(_CLIENT_SECRET),
        refresh_token=SecretStr(_REFRESH_TOKEN),
        sites={"EBAY_DE": site("600"), "EBAY_GB": site("700")},
        offer_lookup="on_conflict",
    )
    return EbayAdapter(settings), fake


def _amazon(clock: FakeClock, persist: Path | None) -> tuple[Adapter, FakeMarketplace]:
    from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings
    from xborder.testing.amazon import FakeAmazon

    fake = FakeAmazon(
        clock=clock,
        clients={_CLIENT_ID: _CLIENT_SECRET},
        persist_to=persist / "amazon.sqlite" if persist else None,
    )
    fake.add_seller(_REFRESH_TOKEN, seller_id=_SELLER_ID, client_id=_CLIENT_ID)
    settings = AmazonSettings(
        client_id=_CLIENT_ID,
        client_secret=SecretStr(_CLIENT_SECRET),
        refresh_token=SecretStr(_REFRESH_TOKEN),
        seller_id=_SELLER_ID,
        product_types=_PRODUCT_TYPES,
        default_product_type="HOME",
        gpsr_safety_attestation=True,
    )
    return AmazonAdapter(settings), fake


def _meta(clock: FakeClock, persist: Path | None) -> tuple[Adapter, FakeMarketplace]:
    from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
    from xborder.testing.facebook import FakeFacebookCatalog

    fake = FakeFacebookCatalog(
        clock=clock,
        catalog_id=_CATALOG_ID,
        access_token=_META_TOKEN,
        persist_to=persist / "meta.sqlite" if persist else None,
    )
    settings = FacebookSettings(
        catalog_id=fake.catalog_id,
        access_token=SecretStr(_META_TOKEN),
        base_market="GB",
    )
    return FacebookAdapter(settings), fake


_BUILDERS: dict[str, Callable[[FakeClock, Path | None], tuple[Adapter, FakeMarketplace]]] = {
    "ebay": _ebay,
    "amazon": _amazon,
    "facebook": _meta,
}


def demo_marketplace(
    name: str, clock: FakeClock, persist: Path | None = None
) -> tuple[Adapter, FakeMarketplace]:
    """Return the demo's adapter for marketplace ``name`` and the fake it talks to.

    The fakes accept the demo's made-up credentials; ``persist`` is a folder for their
    SQLite files (None: in memory).
    """
    return _BUILDERS[name](clock, persist)


def demo_world(
    *,
    start: datetime | date,
    marketplaces: Sequence[str] = ("ebay", "amazon", "facebook"),
    markets: dict[str, tuple[str, ...]] | None = None,
    persist: Path | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
    **target_options: Any,
) -> DemoWorld:
    """Build the fakes of ``marketplaces`` on one clock, with targets for their markets.

    ``settings`` changes adapter settings per marketplace (``{"amazon": {"feed_threshold":
    1}}``); ``persist`` keeps the fakes' state in files there; ``target_options`` go to
    every :class:`Target`.
    """
    clock = FakeClock(start)
    fakes: dict[str, FakeMarketplace] = {}
    targets: list[Target] = []
    chosen = markets or MARKETS
    for name in marketplaces:
        adapter, fake = _BUILDERS[name](clock, persist)
        changes = (settings or {}).get(name)
        if changes:
            adapter = type(adapter)(adapter.settings.model_copy(update=changes))  # type: ignore[call-arg]
        fakes[name] = fake
        targets.append(Target(adapter, chosen[name], **target_options))
    http = httpx.Client(transport=transport(list(fakes.values())))
    return DemoWorld(clock, fakes, targets, http)


def _report_rows(label: str, report: SyncReport, writes: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, part in sorted(report.targets.items()):
        planned = ", ".join(f"{op} {n}" for op, n in sorted(part.planned.items()) if n)
        failed = part.count("failed")
        rows.append(
            (
                label,
                name,
                planned or "-",
                str(part.calls),
                str(part.write_calls),
                str(part.minimum_calls),
                str(failed),
            )
        )
        label = ""
    rows.append(("", "all", "", str(report.calls), str(writes), str(report.minimum_calls), ""))
    return rows


def tour(
    out: TextIO,
    listings: Iterable[Listing],
    *,
    rates: RateSource,
    policy: PricingPolicy,
    seller: Seller,
    on: date,
    marketplaces: Sequence[str] = ("ebay", "amazon", "facebook"),
) -> list[SyncReport]:
    """Print the sync tour (see the module docs) and return the reports of its runs."""
    catalog = list(listings)
    out.write(
        "\nSyncing the sample catalog with xborder.jobs (fake "
        + ", ".join(marketplaces)
        + "; state in a temporary SQLite file; no network, no credentials)\n"
    )
    start = datetime(on.year, on.month, on.day, 2, tzinfo=UTC)
    world = demo_world(start=start, marketplaces=marketplaces)
    reports: list[SyncReport] = []
    rows: list[tuple[str, ...]] = [
        ("run", "marketplace", "planned", "calls", "writes", "minimum", "failed")
    ]
    try:
        with tempfile.TemporaryDirectory() as folder:

            def run(label: str, items: list[Listing], source: RateSource) -> SyncReport:
                world.reset_calls()
                with SyncJob(
                    items,
                    world.targets,
                    rates=source,
                    policy=policy,
                    seller=seller,
                    state=Path(folder) / "state.sqlite",
                    clock=world.clock,
                    http=world.http,
                    on=on,
                ) as job:
                    report = job.run()
                reports.append(report)
                rows.extend(_report_rows(label, report, world.writes()))
                return report

            first = run("1 first sync", catalog, rates)
            world.clock.advance(24 * 3600)
            run("2 nothing changed", catalog, rates)
            world.clock.advance(24 * 3600)
            changed = _reprice(catalog)
            moved = MovedRates(rates, {"EUR": Decimal("1.004"), "GBP": Decimal("1.02")})
            run("3 2 prices + FX move", changed, moved)
    finally:
        world.close()
    table(rows, out, right=frozenset({3, 4, 5, 6}))
    out.write(
        "\nRun 2 sent nothing: every item's content fingerprint, price and quantity matched "
        "what the marketplaces confirmed.\nRun 3: two home prices changed (sent everywhere "
        "as price/quantity updates); the pound moved 2 % (GB prices resent), the euro 0.4 % "
        "(below the 1 % threshold: left alone).\n'minimum' is one call per full batch; "
        "eBay publishes in three steps per batch.\n"
    )
    blocked = sorted(
        {
            f"{note.key.sku} ({note.key.market})"
            for part in first.targets.values()
            for note in part.notes
            if note.outcome == "blocked"
        }
    )
    if blocked:
        out.write(f"held back by the compliance check: {', '.join(blocked)}\n")
    return reports


def _reprice(catalog: Sequence[Listing]) -> list[Listing]:
    """Return the catalog with the first two listings in stock repriced by +5 %."""
    out = list(catalog)
    changed = 0
    for index, listing in enumerate(out):
        if changed == 2:
            break
        if listing.quantity > 0:
            price = Money(
                (listing.price.amount * Decimal("1.05")).quantize(Decimal("0.01")),
                listing.price.currency,
            )
            out[index] = listing.model_copy(update={"price": price})
            changed += 1
    return out
