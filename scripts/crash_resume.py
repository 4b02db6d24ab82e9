"""Kill a three-marketplace sync at 26 batch commits, resume each, and print what happened.

Usage: python scripts/crash_resume.py [--workers 2] [--keep DIR]

The cases of tests/reliability/test_crash_resume.py (tests/reliability/_crash_support.py):
a first sync of 60 listings to fake eBay, Amazon and Meta (each persisted to its own
SQLite file, the state store in a fourth), then a second run that creates, updates,
reprices and withdraws, killed by ``CrashAfter`` just before or just after its n-th batch
commit (two edges and 24 seeds), and run again in a new process. One row per case: the
crash point and the batch it hit, the items the crashed run had stored, the calls and item
writes of the resumed run, the duplicate remote objects and ``PRAGMA integrity_check`` of
the four files (after the crash, then after the resume), and whether every file ends as an
uncrashed reference run leaves it. Exit status 1 when any case fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from xborder._text import table

ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cases, print the table; return 1 when a case failed, else 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="cases run side by side")
    parser.add_argument("--keep", type=Path, help="keep the files in DIR (empty or new)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "tests"))
    # The cases live with the tests (tests/reliability/_crash_support.py): one definition.
    from reliability._crash_support import cases, prepare, run_cases

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        reference = prepare(root)
        total = reference.commits
        print(
            f"reference run: {total} batch commits, {reference.writes} items written "
            f"over ebay, amazon and facebook"
        )
        rows = [
            (
                "seed",
                "phase",
                "crashed at",
                "batch hit",
                "confirmed before",
                "calls on resume",
                "writes on resume",
                "duplicates",
                "integrity",
                "result",
            )
        ]
        failures: list[tuple[str, list[str]]] = []
        for outcome in run_cases(reference, cases(total), root, workers=args.workers):
            case = outcome.case
            target, call, items = reference.batches[case.commits - 1]
            problems = outcome.problems(reference)
            if problems:
                failures.append((case.label, problems))
            checks = {**outcome.integrity_after_crash, **outcome.integrity}.values()
            rows.append(
                (
                    "edge" if case.seed is None else str(case.seed),
                    case.phase,
                    f"{case.commits} of {total}",
                    f"{target} {call} {items}",
                    str(outcome.stored_before),
                    str(outcome.resume_calls),
                    str(outcome.resume_writes),
                    str(outcome.duplicates),
                    "ok" if set(checks) == {"ok"} else "FAILED",
                    "FAILED" if problems else "ok",
                )
            )
    table(rows, sys.stdout, right=frozenset({4, 5, 6, 7}))
    for label, problems in failures:
        print(f"\n{label}:")
        for problem in problems:
            print(f"  {problem}")
    cases_run = len(rows) - 1
    print(
        f"\n{cases_run - len(failures)} of {cases_run} cases ended in the reference state "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
