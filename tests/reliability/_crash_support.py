"""Crash-and-resume cases over one job with three persisted fakes (eBay, Amazon, Meta).

Shared by tests/reliability/test_crash_resume.py and scripts/crash_resume.py.

The scenario: a first, clean sync of 60 listings to the three fakes (each fake persisted
to its own SQLite file, the state store in a fourth), then a second run a day later whose
catalog withdraws 10 listings, reprices 20, edits the title of 10 and adds 40: creates,
updates, price/quantity changes and withdrawals on every marketplace, in a few dozen
batch commits. Each case copies the files of the first sync, runs the second in a
subprocess that :class:`~xborder.testing._crash.CrashAfter` kills at a chosen batch
commit, runs it again in a second subprocess, and compares the files with those of an
uncrashed reference run of the same second catalog.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import xborder as xb
from jobs._support import ON, START, base_listing, listing, rates, seller
from xborder.jobs import JobEvent, Shard, SQLiteStateStore, SyncJob, SyncReport
from xborder.jobs._demo import DemoWorld, demo_world
from xborder.jobs._state import CommitHook, ItemState
from xborder.testing._crash import CRASH_EXIT_CODE, CrashAfter

TESTS = Path(__file__).resolve().parents[1]
MARKETPLACES = ("ebay", "amazon", "facebook")
STATE = "state.sqlite"
FILES = (STATE, "ebay.sqlite", "amazon.sqlite", "meta.sqlite")
#: The second run's clock starts a day after the first: rows it writes are stamped from here.
DAY2 = START + timedelta(days=1)
#: Seeded cases (each draws its commit in one quarter of the run) besides the two edges.
SEEDS = 24
Phase = Literal["before", "after"]
#: The demo's Amazon seller and Meta base market (xborder.jobs._demo).
SELLER_ID = "A1XBORDERDEMO"
META_BASE = "GB"

# The child process: tests/ on the path, then the second run with the crash hook.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from reliability._crash_support import child; "
    "child(sys.argv[2], int(sys.argv[3]), sys.argv[4])"
)


# -- the scenario ---------------------------------------------------------------------------


def first_catalog() -> list[xb.Listing]:
    return [listing(f"SKU-{i:04d}") for i in range(60)]


def second_catalog() -> list[xb.Listing]:
    """SKU 0-9 gone (withdraw), 10-29 repriced, 30-39 retitled, 40-59 as before, 60-99 new."""
    title = base_listing().title + " (second edition)"
    out: list[xb.Listing] = []
    for i in range(10, 100):
        sku = f"SKU-{i:04d}"
        if i < 30:
            out.append(listing(sku, price="41.50", quantity=24 if i % 2 else 9))
        elif i < 40:
            out.append(listing(sku, title=title))
        else:
            out.append(listing(sku))
    return out


def sync(
    folder: Path,
    items: list[xb.Listing],
    start: datetime,
    *,
    hooks: Sequence[CommitHook] = (),
    batches: list[tuple[str, str, int]] | None = None,
) -> SyncReport:
    """Run one sync of ``items`` on the files in ``folder``.

    ``hooks`` go on the state store's commits (a :class:`CrashAfter`); ``batches`` receives
    each stored batch (target, call, items), in order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    world = demo_world(start=start, persist=folder)
    store = SQLiteStateStore(folder / STATE)
    for hook in hooks:
        store.add_commit_hook(hook)

    def progress(event: JobEvent) -> None:
        if batches is not None and event.kind == "batch":
            batches.append((event.target, event.operation, event.items))

    try:
        job = SyncJob(
            items,
            world.targets,
            rates=rates(),
            seller=seller(),
            state=store,
            clock=world.clock,
            http=world.http,
            on=ON,
            on_progress=progress,
        )
        return job.run()
    finally:
        world.close()
        store.close()


def child(folder: str, commits: int, phase: str) -> None:
    """The subprocess: the second run, killed at batch commit ``commits`` (0: no crash)."""
    hooks: list[CommitHook] = []
    if commits:
        crash = CrashAfter(commits, phase="before" if phase == "before" else "after")
        print(f"crash {crash!r}", flush=True)
        hooks.append(crash)
    report = sync(Path(folder), second_catalog(), DAY2, hooks=hooks)
    print(report.to_json())


# -- what the files hold --------------------------------------------------------------------


@contextmanager
def opened(folder: Path) -> Iterator[DemoWorld]:
    world = demo_world(start=DAY2, persist=folder)
    try:
        yield world
    finally:
        world.close()


def rows(folder: Path) -> list[ItemState]:
    with SQLiteStateStore(folder / STATE) as store:
        return [r for name in MARKETPLACES for r in store.select(name, Shard(0, 1))]


def row_view(row: ItemState) -> tuple[Any, ...]:
    """What a row confirms: remote ids and times aside (a resumed run may stamp others)."""
    return (
        row.listed,
        row.status,
        row.operation,
        row.fingerprint,
        row.price,
        row.quantity,
        row.basis,
        row.state,
        row.pending,
        row.last_error,
    )


# Ids the fakes draw from sequences and times they stamp on their clock: a resumed run may
# get others than the reference run for the same objects. Everything else must be equal.
_VOLATILE = frozenset({"offerId", "listingId", "createdDate", "lastUpdatedDate", "id"})


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def fake_view(world: DemoWorld) -> dict[str, Any]:
    """Each fake's state with volatile ids and times removed.

    eBay keys offers by their id: here they are grouped by site and SKU instead (a list, so
    a second offer for one SKU still shows).
    """
    out: dict[str, Any] = {}
    for name, fake in world.fakes.items():
        state = dict(fake.state())
        if name == "ebay":
            offers: dict[str, list[Any]] = {}
            for offer in state["offers"].values():
                offers.setdefault(f"{offer['marketplaceId']}/{offer['sku']}", []).append(offer)
            state["offers"] = offers
        out[name] = _strip(state)
    return out


def duplicates(world: DemoWorld) -> int:
    """Remote objects beyond one per key (eBay offers are the only ones keyed by id)."""
    offers = world.fakes["ebay"].state()["offers"].values()
    per_key = Counter((o["marketplaceId"], o["sku"]) for o in offers)
    return sum(n - 1 for n in per_key.values())


Seen = tuple[bool, tuple[Any, ...] | None]  # live?, (amount, currency, quantity)


def _ebay(state: dict[str, Any], row: ItemState, remote: dict[str, str]) -> Seen:
    offer = state["offers"].get(remote.get("offerId"))
    if offer is None:
        return False, None
    price = offer["pricingSummary"]["price"]
    seen = (Decimal(price["value"]), price["currency"], offer["availableQuantity"])
    return offer["status"] == "PUBLISHED", seen


def _amazon(state: dict[str, Any], row: ItemState, remote: dict[str, str]) -> Seen:
    seller_id = remote.get("sellerId", SELLER_ID)
    found = state["listings"].get(f"{seller_id}/{remote.get('marketplaceId')}/{row.key.sku}")
    if found is None:  # withdrawn listings are deleted
        return False, None
    attributes = json.loads(found["attributes"])
    offer = attributes["purchasable_offer"][0]
    amount = offer["our_price"][0]["schedule"][0]["value_with_tax"]
    quantity = attributes["fulfillment_availability"][0]["quantity"]
    return True, (Decimal(str(amount)), offer["currency"], quantity)


def _meta(state: dict[str, Any], row: ItemState, remote: dict[str, str]) -> Seen:
    item = state["items"].get(row.key.sku)
    if item is None:
        return False, None
    fields = item["fields"]
    if row.key.market != META_BASE:  # other markets are country overrides of the base item
        fields = state["overrides"][row.key.sku][f"COUNTRY|{row.key.market}"]
    amount, currency = fields["price"].split()
    quantity = item["fields"]["quantity_to_sell_on_facebook"]  # one stock for every country
    return fields["availability"] == "in stock", (Decimal(amount), currency, quantity)


_READERS = {"ebay": _ebay, "amazon": _amazon, "facebook": _meta}


def remote_mismatches(world: DemoWorld, items: Sequence[ItemState]) -> list[str]:
    """Rows whose remote object is not live as stored, or lacks the confirmed price/quantity."""
    states = {name: fake.state() for name, fake in world.fakes.items()}
    bad: list[str] = []
    for row in items:
        name = row.key.marketplace
        live, seen = _READERS[name](states[name], row, dict(row.remote.ids) if row.remote else {})
        price = row.price
        confirmed = (price.amount, price.currency, row.quantity) if price is not None else None
        if live != row.listed:
            bad.append(f"{row.key}: listed {row.listed}, live on the fake {live}")
        elif live and seen != confirmed:
            bad.append(f"{row.key}: confirmed {confirmed}, the fake holds {seen}")
    return bad


def integrity(folder: Path) -> dict[str, str]:
    """``PRAGMA integrity_check`` of every file ("ok" when sound)."""
    out: dict[str, str] = {}
    for name in FILES:
        db = sqlite3.connect(folder / name)
        try:
            out[name] = "; ".join(r[0] for r in db.execute("PRAGMA integrity_check"))
        finally:
            db.close()
    return out


# -- the reference run and the cases ---------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The first sync's files (``base``) and what an uncrashed second run leaves."""

    base: Path
    batches: tuple[tuple[str, str, int], ...]  # each batch commit: target, call, items

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(items for _, _, items in self.batches)

    writes: int  # items the second run writes
    rows: dict[str, tuple[Any, ...]]
    fakes: dict[str, Any]

    @property
    def commits(self) -> int:
        return len(self.sizes)


def _writes(report: SyncReport) -> int:
    return sum(
        n for part in report.targets.values() for op, n in part.planned.items() if op != "unchanged"
    )


def prepare(root: Path) -> Reference:
    """Run the first sync once, then the uncrashed second run on a copy of its files."""
    base = root / "base"
    first = sync(base, first_catalog(), START)
    assert first.ok and first.failed == 0, first.summary()
    done = root / "reference"
    shutil.copytree(base, done)
    batches: list[tuple[str, str, int]] = []
    commits: list[str] = []
    second = sync(
        done,
        second_catalog(),
        DAY2,
        hooks=[lambda kind, phase: commits.append(kind) if phase == "after" else None],
        batches=batches,
    )
    assert second.ok and second.failed == 0, second.summary()
    assert len(batches) == commits.count("batch"), (batches, commits)
    sizes = [items for _, _, items in batches]
    reference_rows = rows(done)
    with opened(done) as world:
        fakes = fake_view(world)
        assert duplicates(world) == 0 and remote_mismatches(world, reference_rows) == []
    stamped = sum(1 for r in reference_rows if r.updated_at is not None and r.updated_at >= DAY2)
    assert sum(sizes) == _writes(second) == stamped, (sum(sizes), _writes(second), stamped)
    views = {str(r.key): row_view(r) for r in reference_rows}
    return Reference(base, tuple(batches), _writes(second), views, fakes)


@dataclass(frozen=True)
class Case:
    """Crash at batch commit ``commits``, ``phase`` it; ``seed`` drew it (None: an edge)."""

    seed: int | None
    commits: int
    phase: Phase

    @property
    def label(self) -> str:
        origin = "edge" if self.seed is None else f"seed-{self.seed:02d}"
        return f"{origin}-{self.phase}-{self.commits}"


def cases(total: int) -> list[Case]:
    """Two edges and :data:`SEEDS` seeded crash points, all distinct, over ``total`` commits.

    The edges: just before the first batch commit (the batch reached the marketplaces, the
    state holds nothing of the run) and just after the last (everything stored, the run not
    finished). Half the seeds crash after a commit, half before; each phase's seeds split
    the run into equal windows and draw one commit in theirs, so the start, middle and end
    are all hit, in both phases, and no point repeats an edge.
    """
    out = [Case(None, 1, "before"), Case(None, total, "after")]
    per_phase = SEEDS // 2
    for seed in range(SEEDS):
        phase: Phase = "after" if seed < per_phase else "before"
        window = seed % per_phase
        # "after" windows span commits 1 .. total-1, "before" ones 2 .. total.
        first = 1 if phase == "after" else 2
        span = total - 1
        low = first + window * span // per_phase
        high = first + (window + 1) * span // per_phase - 1
        crash = CrashAfter.seeded(seed, low=low, high=high, phase=phase)
        out.append(Case(seed, crash.commits, phase))
    return out


@dataclass
class Outcome:
    """What one case left: the crash, the resumed run, and the files compared."""

    case: Case
    crash_code: int
    crash_stdout: str
    crash_stderr: str
    stored_before: int  # items the crashed run stored
    expected_before: int  # the batches before the crash point, from the reference run
    integrity_after_crash: dict[str, str]
    resume_code: int = -1
    resume_stderr: str = ""
    resume_ok: bool = False
    resume_writes: int = -1  # items the resumed run planned to write
    resume_calls: int = -1
    rows_differing: list[str] = field(default_factory=list)
    fakes_differing: list[str] = field(default_factory=list)
    duplicates: int = -1
    remote_mismatches: list[str] = field(default_factory=list)
    integrity: dict[str, str] = field(default_factory=dict)

    def problems(self, ref: Reference) -> list[str]:
        """Everything that differs from a clean crash and resume (empty: the case passed)."""
        found: list[str] = []
        if self.crash_code != CRASH_EXIT_CODE:
            found.append(f"crash exit {self.crash_code}: {self.crash_stderr[-500:]}")
        if self.stored_before != self.expected_before:
            found.append(f"stored before crash {self.stored_before}, not {self.expected_before}")
        if set(self.integrity_after_crash.values()) != {"ok"}:
            found.append(f"integrity after crash {self.integrity_after_crash}")
        if self.resume_code != 0 or not self.resume_ok:
            found.append(f"resume exit {self.resume_code}: {self.resume_stderr[-500:]}")
        if self.resume_writes != ref.writes - self.stored_before:
            found.append(
                f"resume wrote {self.resume_writes} items, not {ref.writes - self.stored_before}"
            )
        found += [f"row {key}" for key in self.rows_differing[:5]]
        found += [f"fake {path}" for path in self.fakes_differing[:5]]
        if self.duplicates != 0:
            found.append(f"{self.duplicates} duplicate remote objects")
        found += self.remote_mismatches[:5]
        if set(self.integrity.values()) != {"ok"}:
            found.append(f"integrity {self.integrity}")
        return found


def _run_child(folder: Path, commits: int, phase: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BOOT, str(TESTS), str(folder), str(commits), phase],
        capture_output=True,
        text=True,
        timeout=300,
    )


def differing(left: Any, right: Any, path: str = "") -> list[str]:
    """The paths (up to three levels deep) where ``left`` and ``right`` differ."""
    if left == right:
        return []
    if path.count("/") >= 3 or not (isinstance(left, dict) and isinstance(right, dict)):
        return [path or "/"]
    out: list[str] = []
    for key in sorted(set(left) | set(right), key=str):
        if key not in left or key not in right:
            out.append(f"{path}/{key} ({'missing' if key not in left else 'extra'})")
        else:
            out += differing(left[key], right[key], f"{path}/{key}")
    return out


def run_case(ref: Reference, case: Case, root: Path) -> Outcome:
    """Copy the first sync's files, crash the second run there, resume it, compare."""
    folder = root / case.label
    shutil.copytree(ref.base, folder)
    crashed = _run_child(folder, case.commits, case.phase)
    before = sum(1 for r in rows(folder) if r.updated_at is not None and r.updated_at >= DAY2)
    outcome = Outcome(
        case,
        crashed.returncode,
        crashed.stdout,
        crashed.stderr,
        before,
        sum(ref.sizes[: case.commits - (case.phase == "before")]),
        integrity(folder),
    )
    resumed = _run_child(folder, 0, "after")
    outcome.resume_code, outcome.resume_stderr = resumed.returncode, resumed.stderr
    if resumed.returncode == 0:
        report: dict[str, Any] = json.loads(resumed.stdout)
        outcome.resume_ok = report["ok"] and report["failed"] == 0
        outcome.resume_calls = report["calls"]
        outcome.resume_writes = sum(
            n
            for part in report["targets"].values()
            for op, n in part["planned"].items()
            if op != "unchanged"
        )
    final = rows(folder)
    views = {str(r.key): row_view(r) for r in final}
    outcome.rows_differing = differing(views, ref.rows)
    with opened(folder) as world:
        outcome.fakes_differing = differing(fake_view(world), ref.fakes)
        outcome.duplicates = duplicates(world)
        outcome.remote_mismatches = remote_mismatches(world, final)
    outcome.integrity = integrity(folder)
    return outcome


def run_cases(
    ref: Reference, chosen: Sequence[Case], root: Path, *, workers: int = 2
) -> Iterator[Outcome]:
    """Run ``chosen`` on ``workers`` threads (each waits on its subprocesses), in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(lambda case: run_case(ref, case, root), chosen)
