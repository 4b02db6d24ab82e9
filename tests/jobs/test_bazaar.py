"""Jobs with a third-party adapter (examples/custom_marketplace) beside eBay: two targets."""

from __future__ import annotations

import asyncio
import importlib
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr

from xborder.client import Client
from xborder.jobs import StockRule, Target
from xborder.localize.channels import _rules
from xborder.marketplaces import OfferKey, available
from xborder.marketplaces.ebay import EbayAdapter

from ._support import ROOT, World, catalog, ebay_settings, listing, world

EXAMPLE = ROOT / "examples" / "custom_marketplace"

CLIENT_ID, CLIENT_SECRET = "acme-app", "bazaar-secret-jobs-5c3d"


def write_dist_info(root: Path) -> Path:
    """What installing the example writes: its metadata and entry points (the same as
    tests/examples does; the example is not pip-installed in this environment)."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = root / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    info.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    groups = project["entry-points"].items()
    info.joinpath("entry_points.txt").write_text(
        "\n".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items())
            for group, entries in groups
        ),
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def bazaar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The example plugin, importable and registered while the module's tests run."""
    root = write_dist_info(tmp_path_factory.mktemp("site"))
    saved_path, saved_modules = list(sys.path), set(sys.modules)
    versions = {name: list(v) for name, v in _rules._VERSIONS.items()}
    aliases = dict(_rules._ALIASES)
    sys.path[:0] = [str(root), str(EXAMPLE / "src")]
    importlib.invalidate_caches()
    try:
        assert "acme_bazaar" in available()
        importlib.import_module("acme_bazaar.adapter")
        yield importlib.import_module("acme_bazaar.fake")
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            if name == "acme_bazaar" or name.startswith("acme_bazaar."):
                del sys.modules[name]
        importlib.invalidate_caches()
        _rules._VERSIONS.clear()
        _rules._VERSIONS.update(versions)
        _rules._ALIASES.clear()
        _rules._ALIASES.update(aliases)
        _rules._ANSWERS.clear()


def both(w: World, **stock: Any) -> list[Target]:
    settings = sys.modules["acme_bazaar.adapter"].BazaarSettings(
        client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET)
    )
    return [
        Target(EbayAdapter(ebay_settings()), ["DE", "GB"], stock=StockRule(**stock)),
        Target("acme_bazaar", ["DE", "FR", "GB"], settings=settings),
    ]


@pytest.fixture
def w2(bazaar: ModuleType, tmp_path: Path) -> Iterator[World]:
    for w in world(tmp_path / "state.sqlite"):
        w.fakes.append(bazaar.BazaarFake(clock=w.clock, clients={CLIENT_ID: CLIENT_SECRET}))
        yield w


def listings_on_bazaar(w: World) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (record["market"], record["sku"]): record
        for _, record in w.fakes[1].store.items("listings")
    }


def test_two_targets_sync_then_nothing_is_left(w2: World) -> None:
    job = w2.job(catalog(12), both(w2))
    report = job.run()
    assert report.ok, report.summary()
    assert report.target("ebay").planned["create"] == 24
    assert report.target("acme_bazaar").planned["create"] == 36
    assert report.target("acme_bazaar").calls == 3  # one batch of 12 per market
    assert len(listings_on_bazaar(w2)) == 36
    w2.reset_calls()
    again = job.run()
    assert w2.writes() == 0 and again.planned("unchanged") == 60


def test_stock_over_two_targets_never_exceeds_the_stock(w2: World) -> None:
    items = [listing("ODD", quantity=7), listing("ONE", quantity=1), listing("MANY", quantity=50)]
    asyncio.run(w2.job(items, both(w2, cap=5)).arun())
    for item in items:
        on_ebay = sum(
            w2.ebay.inventory_item(o["sku"])["availability"]["shipToLocationAvailability"][
                "quantity"
            ]
            for o in w2.ebay.offers()
            if o["sku"].startswith(item.sku + "-") and o["status"] == "PUBLISHED"
        )
        on_bazaar = sum(
            r["quantity"] for (_, sku), r in listings_on_bazaar(w2).items() if sku == item.sku
        )
        assert on_ebay + on_bazaar <= item.quantity
    many = [r["quantity"] for (_, sku), r in listings_on_bazaar(w2).items() if sku == "MANY"]
    assert sum(many) > 0


def test_reconcile_adopts_listings_made_outside_the_job(w2: World) -> None:
    items = catalog(5)
    targets = both(w2)
    # Someone listed two items by hand (or an older tool did), before the job existed.
    import xborder as xb

    from ._support import ON, rates, seller

    with Client(http=w2.http(), clock=w2.clock) as client:
        for target in targets:
            offers = [
                xb.prepare(
                    item,
                    market,
                    channel=target.channel_name,
                    rates=rates(),
                    on=ON,
                    seller=seller(),
                )
                for item in items[:2]
                for market in target.markets
            ]
            assert all(r.ok for r in client.marketplace(target.adapter).upsert(offers))
    ebay_offers = len(w2.ebay.offers())
    job = w2.job(items, targets)
    report = job.reconcile()
    assert report.target("ebay").reconciled["adopted"] == 4
    assert report.target("acme_bazaar").reconciled["adopted"] == 6
    assert report.target("ebay").reconciled["absent"] == 6
    row = w2.store.get_item(OfferKey("ebay", "DE", items[0].sku))
    assert row is not None and row.listed and row.remote is not None and row.fingerprint is None
    plan = job.plan()
    assert plan.target("ebay").planned["update"] == 4  # adopted: content not confirmed yet
    assert plan.target("ebay").planned["create"] == 6
    w2.reset_calls()
    job.run()
    assert len(w2.ebay.offers()) == ebay_offers + 6  # no second offer for an adopted item
    assert "get_offers" not in w2.ebay.counts()  # the adopted ids were used
    assert job.plan().pending_writes == 0


def test_plan_with_refresh_remote_sees_listings_ended_on_the_marketplace(w2: World) -> None:
    job = w2.job(catalog(3), both(w2))
    job.run()
    offer = w2.ebay.offers(f"{catalog(3)[0].sku}-DE")[0]
    w2.ebay.set_listing_status(offer["offerId"], "ENDED")
    assert job.plan().pending_writes == 0  # the state alone does not know
    plan = job.plan(refresh_remote=True)
    assert plan.target("ebay").planned["create"] == 1
    runs = [r["kind"] for r in w2.store.runs()]
    assert runs[-1] == "reconcile"
