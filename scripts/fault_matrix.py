"""Print the fault matrix: each fault x each built-in marketplace, 500 items on a FakeClock.

Run it from the repository root::

    python scripts/fault_matrix.py

Each cell runs tests/reliability/_matrix.py's harness: a 500-item sync against the
marketplace's fake with one fault injected, then again with the fault cleared. A cell reads
``ok/failed`` after the faulted run (``pN``: pending, accepted but unconfirmed), then ``dN``
duplicated and ``lN`` lost items, the HTTP calls and the simulated seconds; ``->`` what the
run after the fault cleared confirmed. ``n/a`` cells are explained below the table.

The exit status is 1 when any cell has a duplicated or lost item, a failure without a
reason, a leaked canary secret, a bound broken (calls or simulated time), or did not end
with every item confirmed; 0 otherwise. Offline: no network, no real sleeping.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the harness lives with the tests

from reliability._matrix import (  # noqa: E402
    ITEMS,
    MARKETPLACES,
    SCENARIO_NAMES,
    CellOutcome,
    leaks,
    run_cell,
)


def cell_text(cell: CellOutcome) -> str:
    """Return one cell of the table."""
    if cell.skipped:
        return "n/a"
    text = cell.first.cell()
    if cell.second is not None:
        text += f" -> {cell.second.ok} ok"
    return text + ("" if cell.sound and not leaks(cell) else " !!")


def problems(cell: CellOutcome) -> list[str]:
    """Return what is wrong with ``cell`` (empty when it is sound)."""
    if cell.skipped:
        return []
    found = []
    if cell.fired == 0:
        found.append("the fault never fired")
    for label, run in (("faulted run", cell.first), ("after clearing", cell.second)):
        if run is None:
            found.append(f"{label}: missing")
            continue
        assert run.bounds is not None
        if run.duplicated or run.lost:
            found.append(f"{label}: {run.duplicated} duplicated, {run.lost} lost")
        if run.failed_without_reason:
            found.append(f"{label}: {len(run.failed_without_reason)} failed without a reason")
        if not run.within_bounds:
            found.append(f"{label}: {run.calls} calls, {run.seconds:.0f} s; {run.bounds.formula}")
        found += [f"{label}: {p}" for p in run.problems[:3]]
    if cell.second is not None and cell.second.ok != len(cell.skus):
        found.append(f"after clearing: {cell.second.ok} of {len(cell.skus)} confirmed")
    return found + leaks(cell)


def main() -> int:
    """Run every cell, print the matrix and the bounds, return the exit status."""
    cells: dict[tuple[str, str], CellOutcome] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in SCENARIO_NAMES:
            for marketplace in MARKETPLACES:
                place = Path(folder) / f"{marketplace}-{len(cells)}"
                place.mkdir()
                cells[name, marketplace] = run_cell(marketplace, name, place)
    width = max(len(cell_text(c)) for c in cells.values())
    first = max(len(n) for n in SCENARIO_NAMES)
    print(f"Fault matrix: {ITEMS} items per cell; ok/failed[/pending] dup lost calls seconds")
    print("fault".ljust(first) + "  " + "  ".join(m.ljust(width) for m in MARKETPLACES))
    for name in SCENARIO_NAMES:
        row = [cell_text(cells[name, m]).ljust(width) for m in MARKETPLACES]
        print(name.ljust(first) + "  " + "  ".join(row).rstrip())
    print("\nBounds of a faulted run (from Capabilities batch limits and the RetryPolicy):")
    for marketplace in MARKETPLACES:
        bound = cells[SCENARIO_NAMES[0], marketplace].first.bounds
        if bound is not None:
            print(f"  {marketplace}: {bound.formula}")
    notes = {c.skipped for c in cells.values() if c.skipped}
    for note in sorted(notes):
        print(f"n/a: {note}")
    failures = [
        f"{name} x {marketplace}: {problem}"
        for (name, marketplace), cell in cells.items()
        for problem in problems(cell)
    ]
    for failure in failures:
        print(f"FAIL {failure}")
    print("all cells sound" if not failures else f"{len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
