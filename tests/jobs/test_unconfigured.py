"""Live listings no configured target covers: reported by plan, sync and reconcile, not touched."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest

from xborder.jobs import (
    ItemState,
    Shard,
    SQLiteStateStore,
    StateStore,
    StockRule,
    SyncJob,
    SyncReport,
    Target,
    shard_of,
)
from xborder.jobs._demo import DemoWorld, demo_world
from xborder.jobs._unconfigured import CountsListed
from xborder.localize.translate import CachedTranslation, CacheKey
from xborder.marketplaces.ebay import EbayAdapter

from ._support import ON, START, World, catalog, ebay_settings, rates, seller

HEAD = "live in markets no target covers"


@pytest.fixture
def two() -> Iterator[tuple[DemoWorld, SQLiteStateStore]]:
    """eBay (DE, GB) and Amazon (DE, FR) with 4 listings synced to both."""
    world = demo_world(start=START, marketplaces=("ebay", "amazon"))
    store = SQLiteStateStore(":memory:")
    try:
        report = job(world, store, world.targets).run()
        assert report.ok, report.summary()
        assert store.listed_counts(Shard(0, 1)) == {
            ("ebay", "DE"): 4,
            ("ebay", "GB"): 4,
            ("amazon", "DE"): 4,
            ("amazon", "FR"): 4,
        }
        world.reset_calls()
        yield world, store
    finally:
        store.close()
        world.close()


def job(world: DemoWorld, store: StateStore, targets: Sequence[Target], **kwargs: Any) -> SyncJob:
    values: dict[str, Any] = {
        "rates": rates(),
        "seller": seller(),
        "state": store,
        "clock": world.clock,
        "http": world.http,
        "on": ON,
    }
    values.update(kwargs)
    return SyncJob(catalog(4), targets, **values)


def notes(report: SyncReport) -> list[str]:
    return [note for note in report.notes if HEAD in note]


def rows(store: SQLiteStateStore, marketplace: str) -> list[ItemState]:
    return list(store.select(marketplace, Shard(0, 1)))


def assert_reported(report: SyncReport, expected: dict[str, dict[str, int]]) -> None:
    assert report.unconfigured == expected
    found = notes(report)
    assert len(found) == len(expected)
    for note, (name, markets) in zip(found, sorted(expected.items()), strict=True):
        counts = ", ".join(f"{m} {n}" for m, n in sorted(markets.items()))
        assert note.startswith(f"{name}: {sum(markets.values())} listings")
        assert f"({counts})" in note
        assert f"note: {note}" in report.summary()
    data = json.loads(report.to_json())
    assert data["unconfigured"] == expected
    assert [n for n in data["notes"] if HEAD in n] == found


def test_a_removed_target_is_reported_by_plan_sync_and_reconcile_and_left_alone(
    two: tuple[DemoWorld, SQLiteStateStore],
) -> None:
    world, store = two
    before = rows(store, "amazon")
    ebay_only = job(world, store, world.targets[:1])
    expected = {"amazon": {"DE": 4, "FR": 4}}
    plan = ebay_only.plan()
    assert_reported(plan, expected)
    assert "no target lists amazon any more" in notes(plan)[0]
    # eBay gets the stock Amazon had (a quantity change); nothing is withdrawn anywhere.
    assert set(plan.targets) == {"ebay"} and plan.planned("withdraw") == 0
    assert_reported(ebay_only.run(), expected)
    assert_reported(ebay_only.reconcile(), expected)
    arun = job(world, store, world.targets[:1], async_http=world.async_http())
    assert_reported(asyncio.run(arun.arun()), expected)
    # Nothing was sent to Amazon, and its rows are exactly as they were.
    assert world.fakes["amazon"].calls == []
    assert rows(store, "amazon") == before
    assert len(world.fakes["amazon"].listings()) == 8  # type: ignore[attr-defined]


def test_nothing_removed_says_nothing(two: tuple[DemoWorld, SQLiteStateStore]) -> None:
    world, store = two
    both = job(world, store, world.targets)
    for report in (both.plan(), both.run(), both.reconcile()):
        assert report.unconfigured == {} and notes(report) == []
        assert json.loads(report.to_json())["unconfigured"] == {}
        assert HEAD not in report.summary()


def test_the_advised_withdrawal_clears_the_note(two: tuple[DemoWorld, SQLiteStateStore]) -> None:
    world, store = two
    amazon = world.targets[1]
    # The note's advice: run once with that target alone and stock cap 0.
    withdraw = Target(amazon.adapter, amazon.markets, stock=StockRule(cap=0))
    report = job(world, store, [withdraw]).run()
    assert report.ok and report.target("amazon").planned["withdraw"] == 8
    # That job had no eBay target: eBay's live listings were reported there, not written.
    assert report.unconfigured == {"ebay": {"DE": 4, "GB": 4}}
    assert not [c for c in world.fakes["ebay"].calls if c.method not in ("GET", "HEAD")]
    assert job(world, store, world.targets[:1]).plan().unconfigured == {}


def test_the_counts_are_per_shard(two: tuple[DemoWorld, SQLiteStateStore]) -> None:
    world, store = two
    ebay_only = job(world, store, world.targets[:1])
    per_shard = Counter(shard_of(item.sku, 2) for item in catalog(4))
    total = 0
    for index in range(2):
        report = ebay_only.plan(shard=(index, 2))
        n = per_shard[index]
        expected = {"amazon": {"DE": n, "FR": n}} if n else {}
        assert_reported(report, expected)
        if n:
            assert f"listings of shard {index}/2 live" in notes(report)[0]
        total += 2 * n
    assert total == 8


class Plain:
    """A StateStore with only the protocol's methods (no ``listed_counts``)."""

    def __init__(self, inner: SQLiteStateStore) -> None:
        self.inner = inner

    def rows(self, marketplace: str, skus: Sequence[str]) -> list[ItemState]:
        return self.inner.rows(marketplace, skus)

    def select(self, marketplace: str, shard: Shard, **kw: Any) -> Iterator[ItemState]:
        return self.inner.select(marketplace, shard, **kw)

    def write(self, items: Sequence[ItemState], *, kind: str = "batch") -> None:
        self.inner.write(items, kind=kind)

    def mark_seen(self, skus: Iterable[str]) -> None:
        self.inner.mark_seen(skus)

    def unseen(self, marketplace: str, shard: Shard) -> Iterator[ItemState]:
        return self.inner.unseen(marketplace, shard)

    def reset_seen(self) -> None:
        self.inner.reset_seen()

    def get(self, key: CacheKey) -> CachedTranslation | None:
        return self.inner.get(key)

    def put(self, key: CacheKey, value: CachedTranslation) -> None:
        self.inner.put(key, value)

    def start_run(self, kind: str, shard: Shard, *, dry_run: bool, at: datetime) -> int:
        return self.inner.start_run(kind, shard, dry_run=dry_run, at=at)

    def finish_run(self, run_id: int, *, at: datetime, summary: str) -> None:
        self.inner.finish_run(run_id, at=at, summary=summary)

    def lock(self, shard: Shard) -> contextlib.AbstractContextManager[None]:
        return self.inner.lock(shard)

    def close(self) -> None:
        pass


def test_a_store_without_listed_counts_reports_the_same(
    two: tuple[DemoWorld, SQLiteStateStore],
) -> None:
    world, store = two
    plain = Plain(store)
    assert isinstance(plain, StateStore) and not isinstance(plain, CountsListed)
    assert_reported(job(world, plain, world.targets[:1]).plan(), {"amazon": {"DE": 4, "FR": 4}})


# -- a market removed from a target that stays ------------------------------------------------


def only(markets: Sequence[str]) -> list[Target]:
    return [Target(EbayAdapter(ebay_settings()), markets)]


def published(w: World, site: str) -> set[str]:
    return {
        o["sku"]
        for o in w.ebay.offers()
        if o["marketplaceId"] == site and o["status"] == "PUBLISHED"
    }


def test_a_removed_market_whose_skus_are_planned_is_withdrawn_not_noted(w: World) -> None:
    items = catalog(3)
    w.job(items).run()
    job = w.job(items, only(["DE"]))
    plan = job.plan()
    assert plan.planned("withdraw") == 3 and plan.unconfigured == {} and notes(plan) == []
    report = job.run()
    assert report.ok and report.unconfigured == {}
    assert published(w, "EBAY_GB") == set()


def test_a_removed_market_left_live_is_noted_and_not_written(w: World) -> None:
    items = catalog(3)
    w.job(items).run()
    gone = {i.sku for i in items[1:]}
    left = [r for r in w.store.select("ebay", Shard(0, 1)) if r.key.sku in gone]
    # Items 1 and 2 left the catalog and gone items are kept: their GB listings are now
    # in a market no target covers, and nothing in this run withdraws them.
    job = w.job(items[:1], only(["DE"]), withdraw_gone=False)
    plan = job.plan()
    assert_reported(plan, {"ebay": {"GB": 2}})
    assert "the ebay target lists DE only" in notes(plan)[0]
    assert plan.planned("withdraw") == 1  # item 0's GB listing: its market left the target
    report = job.run()
    assert report.ok
    assert_reported(report, {"ebay": {"GB": 2}})
    assert [r for r in w.store.select("ebay", Shard(0, 1)) if r.key.sku in gone] == left
    assert published(w, "EBAY_GB") == {f"{sku}-GB" for sku in gone}
    assert_reported(job.reconcile(), {"ebay": {"GB": 2}})


def test_withdrawing_gone_items_clears_a_removed_market(w: World) -> None:
    items = catalog(3)
    w.job(items).run()
    job = w.job(items[:1], only(["DE"]))
    plan = job.plan()
    assert plan.unconfigured == {} and plan.planned("withdraw") == 5
    assert job.run().unconfigured == {}
    assert published(w, "EBAY_GB") == set()
