"""A seeded crash for tests: kill the process with ``os._exit`` after the n-th commit.

Sync jobs promise that a run killed at any point loses nothing and duplicates nothing:
the next run finishes the work, and no marketplace ends up with two objects for one key.
:class:`CrashAfter` makes the kill happen at a chosen, reproducible point: it hooks into a
state store's commits (``SQLiteStateStore.add_commit_hook``) and calls ``os._exit`` — no
``finally`` blocks, no flushing, no closing, like a killed process — after (or just
before) the n-th commit of a kind::

    store = SQLiteStateStore("state.sqlite")
    CrashAfter(3).install(store)            # dies right after the 3rd batch is stored
    CrashAfter(3, phase="before").install(store)  # ... after the 3rd batch was *sent*,
                                                  # before its results are stored
    CrashAfter.seeded(42).install(store)    # n drawn from a seed, 1 to 5

Run the job in a subprocess (the test process must survive), with the fake marketplaces
persisted to files (``persist_to=``), then rerun it and check the result.
"""

from __future__ import annotations

import os
import random
import sys
from typing import Final, Literal, Protocol

__all__ = ["CRASH_EXIT_CODE", "CrashAfter"]

#: The exit status of a process killed by :class:`CrashAfter`.
CRASH_EXIT_CODE: Final = 86


class _Hooked(Protocol):
    def add_commit_hook(self, hook: object) -> None: ...


class CrashAfter:
    """Calls ``os._exit`` at the ``commits``-th commit of ``kind`` (see the module docs).

    ``phase``: ``"after"`` (the commit is stored, then the process dies) or ``"before"``
    (the transaction is written but not committed: it is lost with the process).
    """

    def __init__(
        self,
        commits: int,
        *,
        kind: str = "batch",
        phase: Literal["before", "after"] = "after",
        exit_code: int = CRASH_EXIT_CODE,
    ) -> None:
        if isinstance(commits, bool) or not isinstance(commits, int) or commits < 1:
            raise ValueError(f"commits: expected an int >= 1, got {commits!r}")
        if phase not in ("before", "after"):
            raise ValueError(f"phase: 'before' or 'after', got {phase!r}")
        self.commits = commits
        self.kind = kind
        self.phase = phase
        self.exit_code = exit_code
        self.seen = 0

    @classmethod
    def seeded(
        cls,
        seed: int,
        *,
        low: int = 1,
        high: int = 5,
        kind: str = "batch",
        phase: Literal["before", "after"] = "after",
    ) -> CrashAfter:
        """Return a crash after a commit number drawn from ``seed`` (``low`` to ``high``)."""
        return cls(random.Random(seed).randint(low, high), kind=kind, phase=phase)

    def install(self, store: _Hooked) -> CrashAfter:
        """Install the hook on ``store``'s commits; return self."""
        store.add_commit_hook(self)
        return self

    def __call__(self, kind: str, phase: str) -> None:
        """Count a commit; kill the process at the chosen one."""
        if kind != self.kind or phase != self.phase:
            return
        self.seen += 1
        if self.seen >= self.commits:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(self.exit_code)

    def __repr__(self) -> str:
        return f"CrashAfter({self.commits}, kind={self.kind!r}, phase={self.phase!r})"
