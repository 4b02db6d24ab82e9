"""The SQLite state store: rows round-trip, batches are atomic, the translation cache, runs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import xborder as xb
from xborder.jobs import ItemState, PendingWrite, Shard, SQLiteStateStore, StateStore
from xborder.localize.translate import CachedTranslation, TranslationCache, cache_key
from xborder.marketplaces import OfferKey, RemoteRef

AT = datetime(2026, 10, 1, 9, tzinfo=UTC)


def item(sku: str = "MUG-01", market: str = "DE", **fields: object) -> ItemState:
    values: dict[str, object] = {
        "listed": True,
        "fingerprint": "f" * 64,
        "price": xb.Money("24.99", "EUR"),
        "quantity": 5,
        "basis": "b" * 16,
        "remote": RemoteRef(offerId="9001", listingId="110", sku=f"{sku}-{market}"),
        "state": "live",
        "updated_at": AT,
    }
    values.update(fields)
    return ItemState(OfferKey("ebay", market, sku), **values)  # type: ignore[arg-type]


def test_it_is_a_state_store_and_a_translation_cache() -> None:
    with SQLiteStateStore(":memory:") as store:
        assert isinstance(store, StateStore) and isinstance(store, TranslationCache)


def test_rows_round_trip_exactly(tmp_path: Path) -> None:
    full = item(
        pending=PendingWrite("update", "e" * 64, xb.Money("25.00", "EUR"), 4, "c" * 16),
        status="pending",
        last_error="25002: Any User error.",
        attempts=2,
        not_before=AT,
        revisions=3,
        revision_day="2026-10-01",
        operation="update",
    )
    bare = ItemState(OfferKey("ebay", "GB", "MUG-02"))
    path = tmp_path / "state.sqlite"
    with SQLiteStateStore(path) as store:
        store.write([full, bare])
    with SQLiteStateStore(path) as store:
        assert store.get_item(full.key) == full
        assert store.get_item(bare.key) == bare
        assert {r.key for r in store.rows("ebay", ["MUG-01", "MUG-02", "NONE"])} == {
            full.key,
            bare.key,
        }
        assert store.count() == 2 and store.count("ebay") == 2 and store.count("amazon") == 0
        # Decimal in, the same Decimal out.
        assert str(store.get_item(full.key).price.amount) == "24.99"  # type: ignore[union-attr]


def test_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_batch_is_written_whole_or_not_at_all() -> None:
    store = SQLiteStateStore(":memory:")
    calls: list[tuple[str, str]] = []

    def hook(kind: str, phase: str) -> None:
        calls.append((kind, phase))
        if phase == "before" and len(calls) > 2:
            raise RuntimeError("the process dies before the commit")

    store.add_commit_hook(hook)
    store.write([item("A"), item("B")])
    with pytest.raises(RuntimeError):
        store.write([item("C"), item("D")])
    assert store.count() == 2 and calls == [
        ("batch", "before"),
        ("batch", "after"),
        ("batch", "before"),
    ]
    store.close()


def test_select_pages_and_filters_by_shard_and_status() -> None:
    store = SQLiteStateStore(":memory:")
    rows = [item(f"S{i:04d}", status="pending" if i % 3 == 0 else "ok") for i in range(1200)]
    store.write(rows)
    assert sum(1 for _ in store.select("ebay", Shard(0, 1))) == 1200
    pending = list(store.select("ebay", Shard(0, 1), status="pending"))
    assert len(pending) == 400 and all(r.status == "pending" for r in pending)
    by_shard = [len(list(store.select("ebay", Shard(i, 4)))) for i in range(4)]
    assert sum(by_shard) == 1200 and min(by_shard) > 0
    assert [r.key.sku for r in store.select("ebay", Shard(0, 1))] == sorted(r.key.sku for r in rows)
    store.close()


def test_unseen_lists_listed_items_the_catalog_lacks() -> None:
    store = SQLiteStateStore(":memory:")
    store.write([item("A"), item("B"), item("C", listed=False), item("D", market="GB")])
    store.mark_seen(["A"])
    assert sorted(r.key.sku for r in store.unseen("ebay", Shard(0, 1))) == ["B", "D"]
    store.reset_seen()
    assert len(list(store.unseen("ebay", Shard(0, 1)))) == 3
    store.close()


def test_the_translation_cache_survives_reopening(tmp_path: Path) -> None:
    key = cache_key("Stoneware mug", "en", "de", "deepl")
    value = CachedTranslation("Steinzeugtasse", "deepl", "en", "de", date(2026, 10, 1))
    with SQLiteStateStore(tmp_path / "s.sqlite") as store:
        assert store.get(key) is None
        store.put(key, value)
    with SQLiteStateStore(tmp_path / "s.sqlite") as store:
        assert store.get(key) == value and store.translations() == 1
        with pytest.raises(TypeError):
            store.put(key, "Steinzeugtasse")  # type: ignore[arg-type]


def test_runs_are_recorded() -> None:
    with SQLiteStateStore(":memory:") as store:
        run = store.start_run("sync", Shard(1, 2), dry_run=False, at=AT)
        store.finish_run(run, at=AT, summary='{"ok": true}')
        (row,) = store.runs()
        assert row["kind"] == "sync" and row["shard"] == "1/2" and row["summary"] == '{"ok": true}'


def test_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE name = 'schema'")
    with pytest.raises(ValueError, match="schema 99"):
        SQLiteStateStore(path)


def test_pending_writes_round_trip() -> None:
    write = PendingWrite("price_quantity", price=xb.Money("3.10", "GBP"), quantity=2)
    assert PendingWrite.from_json(write.to_json()) == write
    assert PendingWrite.from_json(PendingWrite("withdraw").to_json()) == PendingWrite("withdraw")
