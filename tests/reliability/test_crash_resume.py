"""Crash safety over eBay, Amazon and Meta at once: 26 crash points, each resumed.

tests/jobs/test_crash.py kills a creating run on one fake eBay at three seeded points.
Here one job syncs three persisted fakes, each in its own SQLite file, with the state in a
fourth; the crashed run creates, updates, reprices and withdraws (see _crash_support).
Each case kills it at a batch commit (just before or just after it), resumes it in a new
process, and compares every file with an uncrashed reference run's.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

import xborder as xb
from xborder.jobs import SQLiteStateStore
from xborder.testing._crash import CRASH_EXIT_CODE

from ._crash_support import (
    SEEDS,
    STATE,
    Case,
    Outcome,
    Reference,
    cases,
    differing,
    duplicates,
    fake_view,
    integrity,
    opened,
    prepare,
    remote_mismatches,
    row_view,
    rows,
    run_cases,
)

CASES = SEEDS + 2


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return prepare(tmp_path_factory.mktemp("crash-reference"))


@pytest.fixture(scope="module")
def outcomes(reference: Reference, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Outcome]:
    # Every case at once, two at a time (each case is two subprocesses in a row).
    root = tmp_path_factory.mktemp("crash-cases")
    return dict(enumerate(run_cases(reference, cases(reference.commits), root)))


def test_the_run_commits_every_kind_of_batch_on_every_marketplace(reference: Reference) -> None:
    calls = Counter((target, call) for target, call, _ in reference.batches)
    for target in ("ebay", "amazon", "facebook"):
        for call in ("upsert", "update_price_quantity", "withdraw"):
            assert calls[(target, call)] >= 1, (target, call)
    assert reference.commits >= 20
    chosen = cases(reference.commits)
    assert len(chosen) == CASES and len({(c.commits, c.phase) for c in chosen}) == CASES
    thirds = reference.commits / 3
    for phase in ("before", "after"):
        hit = {int((c.commits - 1) // thirds) for c in chosen if c.phase == phase}
        assert hit == {0, 1, 2}, phase  # start, middle and end of the run
    assert {(c.commits, c.phase) for c in chosen} >= {(1, "before"), (reference.commits, "after")}


@pytest.mark.slow
@pytest.mark.parametrize("index", range(CASES))
def test_a_crashed_run_resumes_to_the_reference_state(
    index: int, reference: Reference, outcomes: dict[int, Outcome]
) -> None:
    outcome = outcomes[index]
    case: Case = outcome.case
    assert outcome.problems(reference) == [], case.label  # all at once, then one by one
    assert outcome.crash_code == CRASH_EXIT_CODE, outcome.crash_stderr
    assert outcome.crash_stdout.startswith(f"crash CrashAfter({case.commits}, ")
    # Just after commit n, batches 1..n are stored; just before it, the n-th is lost.
    assert outcome.stored_before == outcome.expected_before
    assert set(outcome.integrity_after_crash.values()) == {"ok"}, outcome.integrity_after_crash

    assert outcome.resume_code == 0, outcome.resume_stderr
    assert outcome.resume_ok
    # What the crashed run stored is not sent again; the rest (the lost batch too) is.
    assert outcome.resume_writes == reference.writes - outcome.stored_before
    assert outcome.rows_differing == []  # every listing x market confirmed as in the reference
    assert outcome.fakes_differing == []  # every fake holds what the reference's holds
    assert outcome.duplicates == 0
    assert outcome.remote_mismatches == []
    assert set(outcome.integrity.values()) == {"ok"}, outcome.integrity


def test_the_checks_see_an_unfinished_run_a_duplicate_and_a_wrong_price(
    reference: Reference, tmp_path: Path
) -> None:
    # The first sync's files are what a crash before any commit could leave unresumed.
    base_rows = {str(r.key): row_view(r) for r in rows(reference.base)}
    assert differing(base_rows, reference.rows)
    with opened(reference.base) as world:
        assert differing(fake_view(world), reference.fakes)

    done = tmp_path / "reference"
    shutil.copytree(reference.base.parent / "reference", done)
    with opened(done) as world:
        assert differing(fake_view(world), reference.fakes) == []
        ebay = world.fakes["ebay"]
        offer_id, offer = next(iter(ebay.state()["offers"].items()))
        ebay.store.put("offers", "9" + offer_id, {**offer, "offerId": "9" + offer_id})
    with SQLiteStateStore(done / STATE) as store:
        row = next(r for r in rows(done) if r.listed and r.key.marketplace == "amazon")
        assert row.price is not None
        store.write([row.replace(price=xb.Money(row.price.amount + 1, row.price.currency))])
    with opened(done) as world:
        assert duplicates(world) == 1
        assert differing(fake_view(world), reference.fakes) != []
        assert [str(row.key) in m for m in remote_mismatches(world, rows(done))] == [True]
    assert set(integrity(done).values()) == {"ok"}
