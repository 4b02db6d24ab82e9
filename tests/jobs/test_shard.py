"""Shards: a stable partition that covers the catalog exactly once, and the shard locks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.jobs import Shard, ShardLockedError, SQLiteStateStore, shard_of
from xborder.jobs._shard import MAX_SHARDS, sku_hash

from ._support import World, catalog

skus = st.lists(st.text(min_size=1, max_size=30), unique=True, max_size=60)


@given(skus=skus, count=st.integers(1, 16))
def test_shards_cover_every_sku_exactly_once(skus: list[str], count: int) -> None:
    holders = Counter(
        sku for index in range(count) for sku in skus if Shard(index, count).holds(sku)
    )
    assert holders == Counter(skus)


def test_the_hash_is_stable_across_processes() -> None:
    here = [shard_of(f"MUG-{i}", 7) for i in range(20)]
    code = "from xborder.jobs import shard_of; print([shard_of(f'MUG-{i}', 7) for i in range(20)])"
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert other.stdout.strip() == str(here)
    assert sku_hash("MUG-01") == sku_hash("MUG-01") < 2**63


@pytest.mark.parametrize(
    ("text", "expected"), [("0/1", Shard(0, 1)), ("3/4", Shard(3, 4)), (" 1 / 2 ", Shard(1, 2))]
)
def test_shards_parse(text: str, expected: Shard) -> None:
    assert Shard.parse(text) == expected and str(expected) == f"{expected.index}/{expected.count}"


@pytest.mark.parametrize("bad", ["4/4", "-1/2", "1", "a/b", "0/0", f"0/{MAX_SHARDS + 1}"])
def test_bad_shards_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="shard"):
        Shard.parse(bad)


def test_shard_of_accepts_the_forms() -> None:
    assert Shard.of(None) == Shard(0, 1) and Shard.of((1, 3)) == Shard.of("1/3")
    assert Shard.of(Shard(2, 3)).whole is False
    with pytest.raises(ValueError):
        Shard.of((1, 2, 3))  # type: ignore[arg-type]


def test_sharded_runs_cover_the_catalog_exactly_once(w: World) -> None:
    items = catalog(40)
    job = w.job(items)
    reports = [job.run(shard=(i, 3)) for i in range(3)]
    assert sum(r.listings for r in reports) == 40
    assert sum(r.planned("create") for r in reports) == 80
    assert len(w.ebay.offers()) == 80 and job.plan().pending_writes == 0


def test_gone_items_are_judged_only_in_their_shard(w: World) -> None:
    items = catalog(20)
    job = w.job(lambda: items)
    job.run()
    gone = items.pop(0)
    mine = shard_of(gone.sku, 2)
    assert job.plan(shard=(1 - mine, 2)).planned("withdraw") == 0
    assert job.plan(shard=(mine, 2)).planned("withdraw") == 2


@pytest.mark.parametrize("path", [":memory:", "file"])
def test_the_same_shard_twice_is_refused(tmp_path: Path, path: str) -> None:
    store = SQLiteStateStore(tmp_path / "state.sqlite" if path == "file" else ":memory:")
    with store.lock(Shard(0, 2)):
        with (
            pytest.raises(ShardLockedError, match="already running") as error,
            store.lock(Shard(0, 2)),
        ):
            pass
        assert error.value.shard == (0, 2)
        with store.lock(Shard(1, 2)):  # another shard of the same count is fine
            pass
        with (
            pytest.raises(ShardLockedError, match=r"overlap|another shard count"),
            store.lock(Shard(0, 3)),
        ):
            pass
    with store.lock(Shard(0, 3)):  # released: any count again
        pass
    store.close()


def test_a_run_on_a_locked_shard_is_refused(w: World) -> None:
    job = w.job(catalog(2))
    with w.store.lock(Shard(0, 1)), pytest.raises(ShardLockedError):
        job.run()
    assert w.writes() == 0


def test_another_process_holding_the_shard_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SQLiteStateStore(path).close()
    script = textwrap.dedent(
        f"""
        import sys, time
        from xborder.jobs import SQLiteStateStore, Shard
        store = SQLiteStateStore({str(path)!r})
        with store.lock(Shard(1, 4)):
            print("locked", flush=True)
            sys.stdin.readline()
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        store = SQLiteStateStore(path)
        try:
            with pytest.raises(ShardLockedError, match="pid") as error, store.lock(Shard(1, 4)):
                pass
            assert error.value.holder is not None and "pid" in error.value.holder
            with pytest.raises(ShardLockedError, match="overlap"), store.lock(Shard(0, 2)):
                pass
            with store.lock(Shard(2, 4)):
                pass
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=30)
    # The holder is gone: its lock went with it.
    with store.lock(Shard(1, 4)):
        pass
    store.close()
