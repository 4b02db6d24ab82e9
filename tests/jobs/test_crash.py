"""A job killed with os._exit mid-run, then run again: every item confirmed, nothing twice.

The job runs in a subprocess against a fake eBay persisted to a SQLite file, with its state
in another file. xborder.testing's seeded crash hook kills the process at a commit chosen by
a seed: just after a batch's results are stored, or just before (the marketplace has the
batch, the state does not). A second process runs the same job to the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from xborder.jobs import Shard, SQLiteStateStore
from xborder.testing import FakeClock
from xborder.testing._crash import CRASH_EXIT_CODE, CrashAfter
from xborder.testing.ebay import FakeEbay

from ._support import CLIENT_ID, CLIENT_SECRET, START

TESTS = Path(__file__).resolve().parents[1]
ITEMS = 60  # × DE, GB: 120 offers in 6 batches of at most 25 (3 per market)

SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import httpx
from jobs._support import ON, START, catalog, ebay_settings, fake_ebay, rates, seller
from xborder.jobs import SQLiteStateStore, SyncJob, Target
from xborder.jobs._fakes import transport
from xborder.marketplaces.ebay import EbayAdapter
from xborder.testing import FakeClock
from xborder.testing._crash import CrashAfter

clock = FakeClock(START)
fake = fake_ebay(clock, persist_to={ebay!r})
store = SQLiteStateStore({state!r})
if {seed!r} is not None:
    crash = CrashAfter.seeded({seed!r}, phase={phase!r}).install(store)
    print("crash after", crash.commits, flush=True)
target = Target(EbayAdapter(ebay_settings(offer_lookup={lookup!r})), ["DE", "GB"])
job = SyncJob(
    catalog({items}), [target], rates=rates(), seller=seller(), state=store, clock=clock,
    http=httpx.Client(transport=transport([fake])), on=ON,
)
print(job.run().to_json())
"""


def run_job(
    tmp: Path, *, seed: int | None, phase: str, lookup: str
) -> subprocess.CompletedProcess[str]:
    code = SCRIPT.format(
        tests=str(TESTS),
        ebay=str(tmp / "ebay.sqlite"),
        state=str(tmp / "state.sqlite"),
        seed=seed,
        phase=phase,
        lookup=lookup,
        items=ITEMS,
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("seed", "phase", "lookup"),
    [(3, "after", "on_conflict"), (11, "before", "on_conflict"), (5, "before", "before_create")],
)
def test_a_crashed_run_is_finished_by_the_next_without_duplicates(
    tmp_path: Path, seed: int, phase: str, lookup: str
) -> None:
    crashed = run_job(tmp_path, seed=seed, phase=phase, lookup=lookup)
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    commits = CrashAfter.seeded(seed).commits
    assert crashed.stdout.startswith(f"crash after {commits}")

    with SQLiteStateStore(tmp_path / "state.sqlite") as store:
        stored = [r for r in store.select("ebay", Shard(0, 1)) if r.listed]
    # After the commit: the batches up to it are stored. Before: the last one is lost.
    assert len(stored) == sum([25, 25, 25, 25, 10, 10][: commits - (phase == "before")])

    rerun = run_job(tmp_path, seed=None, phase=phase, lookup=lookup)
    assert rerun.returncode == 0, rerun.stderr
    report: dict[str, Any] = json.loads(rerun.stdout)
    ebay = report["targets"]["ebay"]
    assert report["ok"] and report["failed"] == 0
    # Every item confirmed once: what the first run stored is not sent again.
    assert ebay["planned"]["create"] == 2 * ITEMS - len(stored)
    assert ebay["planned"].get("unchanged", 0) == len(stored)

    fake = FakeEbay(
        clock=FakeClock(START),
        clients={CLIENT_ID: CLIENT_SECRET},
        persist_to=tmp_path / "ebay.sqlite",
    )
    try:
        offers = fake.offers()
        per_sku = Counter(offer["sku"] for offer in offers)
        assert len(per_sku) == 2 * ITEMS and set(per_sku.values()) == {1}  # no second offer
        assert all(offer["status"] == "PUBLISHED" for offer in offers)
        assert fake.store.integrity_check() == []
    finally:
        fake.close()
    with SQLiteStateStore(tmp_path / "state.sqlite") as store:
        rows = list(store.select("ebay", Shard(0, 1)))
        assert len(rows) == 2 * ITEMS
        assert all(r.listed and r.status == "ok" and r.fingerprint for r in rows)
        assert {r.remote["offerId"] for r in rows if r.remote} == {o["offerId"] for o in offers}


def test_the_crash_hook_checks_its_arguments() -> None:
    with pytest.raises(ValueError):
        CrashAfter(0)
    with pytest.raises(ValueError):
        CrashAfter(1, phase="during")  # type: ignore[arg-type]
    assert CrashAfter.seeded(3).commits == CrashAfter.seeded(3).commits
    hook = CrashAfter(2, kind="batch")
    hook("translation", "after")
    hook("batch", "before")
    assert hook.seen == 0 and "CrashAfter(2" in repr(hook)
