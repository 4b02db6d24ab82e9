"""Jobs on eBay, Amazon and Meta together (their fakes): pending feeds, Meta's base market."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from xborder.jobs import Shard, SQLiteStateStore, StockRule, SyncJob
from xborder.jobs._demo import DemoWorld, demo_world
from xborder.marketplaces import OfferKey

from ._support import ON, START, catalog, listing, rates, seller


@pytest.fixture
def store() -> Iterator[SQLiteStateStore]:
    with SQLiteStateStore(":memory:") as s:
        yield s


def make(world: DemoWorld, store: SQLiteStateStore, items: Any, **kwargs: Any) -> SyncJob:
    return SyncJob(
        items,
        world.targets,
        rates=rates(),
        seller=seller(),
        state=store,
        clock=world.clock,
        http=world.http,
        on=ON,
        **kwargs,
    )


def test_three_marketplaces_then_nothing_left(store: SQLiteStateStore) -> None:
    world = demo_world(start=START)
    try:
        job = make(world, store, catalog(8))
        report = job.run()
        assert report.ok, report.summary()
        assert {name: t.planned["create"] for name, t in report.targets.items()} == {
            "ebay": 16,
            "amazon": 16,
            "facebook": 16,
        }
        world.reset_calls()
        again = job.run()
        assert world.writes() == 0 and again.write_calls == 0 and again.pending_writes == 0
    finally:
        world.close()


def test_amazon_feeds_stay_pending_until_read_back(store: SQLiteStateStore) -> None:
    world = demo_world(
        start=START,
        marketplaces=("amazon",),
        settings={"amazon": {"feed_threshold": 1, "feed_max_polls": 0}},
    )
    try:
        job = make(world, store, catalog(6))
        first = job.run()
        assert first.target("amazon").outcomes["create"]["pending"] == 12
        rows = list(store.select("amazon", Shard(0, 1)))
        assert all(r.status == "pending" and r.fingerprint is None for r in rows)
        assert job.plan().planned("deferred") == 12  # nothing is sent twice meanwhile
        for _ in range(5):
            world.clock.advance(300)
            job.run()
            if not list(store.select("amazon", Shard(0, 1), status="pending")):
                break
        rows = list(store.select("amazon", Shard(0, 1)))
        assert all(r.status == "ok" and r.fingerprint and r.state == "live" for r in rows)
        assert job.plan().pending_writes == 0 and job.plan().planned("deferred") == 0
    finally:
        world.close()


def test_a_run_can_wait_for_its_pending_writes(store: SQLiteStateStore) -> None:
    world = demo_world(
        start=START,
        marketplaces=("amazon",),
        settings={"amazon": {"feed_threshold": 1, "feed_max_polls": 0}},
    )
    try:
        job = make(world, store, catalog(4), pending_timeout=3600, poll_interval=60)
        report = job.run()
        create = report.target("amazon").outcomes["create"]
        assert create["ok"] == 8 and report.target("amazon").planned["create"] == 8
        assert not list(store.select("amazon", Shard(0, 1), status="pending"))
        assert world.clock.slept  # it waited on the clock, not for real
    finally:
        world.close()


def test_meta_products_blocked_in_the_base_market_are_blocked_everywhere(
    store: SQLiteStateStore,
) -> None:
    world = demo_world(
        start=START,
        marketplaces=("facebook",),
        markets={"facebook": ("GB", "DE")},
        settings={"facebook": {"base_market": "DE"}},
    )
    try:
        # No EU responsible person: blocked in DE (GPSR), fine in GB.
        items = [listing("OK-1"), listing("NO-EU-RP", eu_responsible_person=None)]
        plan = make(world, store, items).plan()
        notes = {(n.key.market, n.key.sku): n for n in plan.target("facebook").notes}
        assert notes[("DE", "NO-EU-RP")].outcome == "blocked"
        assert "base market DE" in notes[("GB", "NO-EU-RP")].reasons[0]
        report = make(world, store, items).run()
        assert report.ok and report.target("facebook").planned["create"] == 2
    finally:
        world.close()


def test_meta_sends_all_markets_of_a_product_in_one_upsert(store: SQLiteStateStore) -> None:
    world = demo_world(start=START, marketplaces=("facebook",))
    try:
        report = make(world, store, catalog(30)).run()
        assert report.ok and report.target("facebook").count("ok") == 60
        # Later, one market only: the product's base item is found in the state.
        items = catalog(30)
        items[4] = items[4].model_copy(update={"quantity": 3})
        again = make(world, store, items).run()
        assert again.ok and again.target("facebook").planned["price_quantity"] == 2
    finally:
        world.close()


def test_stock_over_three_marketplaces_never_exceeds_the_stock(store: SQLiteStateStore) -> None:
    world = demo_world(start=START, stock=StockRule(share=Decimal("0.5"), cap=4))
    try:
        items = [listing(f"Q{q}", quantity=q) for q in (0, 1, 2, 3, 7, 20)]
        job = make(world, store, items)
        given: Counter[str] = Counter()
        for decision in job.iter_plan():
            if decision.operation == "create":
                assert decision.offer is not None
                given[decision.key.sku] += decision.offer.quantity
                assert decision.offer.quantity <= 4
        stock = {item.sku: item.quantity for item in items}
        assert all(given[sku] <= stock[sku] for sku in stock)
        assert given["Q20"] == 20  # shares over 1 are weights: all of it, split six ways
    finally:
        world.close()


def test_arun_syncs_three_marketplaces_in_parallel(store: SQLiteStateStore) -> None:
    world = demo_world(start=START)
    try:
        job = make(world, store, catalog(5), async_http=world.async_http())
        report = asyncio.run(job.arun())
        assert report.ok and report.planned("create") == 30
        assert job.plan().pending_writes == 0
        row = store.get_item(OfferKey("facebook", "GB", catalog(1)[0].sku))
        assert row is not None and row.listed and row.remote is not None
    finally:
        world.close()


def test_arun_can_wait_for_its_pending_writes(store: SQLiteStateStore) -> None:
    world = demo_world(
        start=START,
        marketplaces=("amazon",),
        settings={"amazon": {"feed_threshold": 1, "feed_max_polls": 0}},
    )
    try:
        job = make(
            world,
            store,
            catalog(3),
            pending_timeout=3600,
            poll_interval=60,
            async_http=world.async_http(),
        )
        report = asyncio.run(job.arun())
        assert report.target("amazon").outcomes["create"]["ok"] == 6
        assert not list(store.select("amazon", Shard(0, 1), status="pending"))
    finally:
        world.close()
