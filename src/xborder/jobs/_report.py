"""What a run did: :class:`SyncReport`, and the progress events a run emits.

A report counts, per target, the items planned for each operation and what became of the
writes (ok, pending, failed, deferred); the HTTP calls made beside the minimum possible for
that work; the items failed, blocked or deferred with their reasons; the catalog rows that
could not be read; and how long it took. :meth:`SyncReport.to_json` is what
``xborder sync --json`` prints and :meth:`SyncReport.to_csv` what ``--csv FILE`` writes.
Reports hold no secret: reasons are the marketplaces' issue texts and xborder's own
messages, which never carry credentials.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from xborder._csv import terminal_safe, to_csv
from xborder.jobs._shard import Shard
from xborder.marketplaces import OfferKey

__all__ = [
    "CSV_COLUMNS",
    "MAX_NOTES",
    "ItemNote",
    "JobEvent",
    "ProgressHandler",
    "SyncReport",
    "TargetReport",
]

#: The columns of :meth:`SyncReport.to_csv` (``xborder sync --csv``).
CSV_COLUMNS: Final = ("marketplace", "market", "sku", "operation", "outcome", "reasons")

#: Items kept with their reasons per target; beyond this they are only counted.
MAX_NOTES: Final = 1000

Outcome = Literal["ok", "pending", "failed", "deferred"]


@dataclass(frozen=True, slots=True)
class ItemNote:
    """One item worth a look: failed, blocked or deferred (or withdrawn), and why."""

    key: OfferKey
    operation: str
    outcome: str
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the note as plain data."""
        return {
            "marketplace": self.key.marketplace,
            "market": self.key.market,
            "sku": self.key.sku,
            "operation": self.operation,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
        }

    def __str__(self) -> str:
        return self.line()

    def line(self, width: int | None = None) -> str:
        """Return the note as one line; each reason cut to ``width`` characters if given."""
        reasons = [
            r if width is None or len(r) <= width else r[: width - 1] + "…" for r in self.reasons
        ]
        what = (
            self.operation if self.operation == self.outcome else f"{self.operation} {self.outcome}"
        )
        why = "; ".join(reasons)
        return f"{self.key} {what}" + (f": {why}" if why else "")


@dataclass(slots=True)
class TargetReport:
    """The part of a report about one target (marketplace)."""

    name: str
    planned: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    calls: int = 0
    write_calls: int = 0
    token_calls: int = 0
    minimum_calls: int = 0
    reconciled: Counter[str] = field(default_factory=Counter)
    notes: list[ItemNote] = field(default_factory=list)
    notes_dropped: int = 0
    batch_limits: dict[str, int] = field(default_factory=dict)
    _upserts_by_market: Counter[str] = field(default_factory=Counter)
    _status_reads: int = 0

    def note(self, note: ItemNote) -> None:
        """Keep ``note`` (only the first :data:`MAX_NOTES`; the rest are counted)."""
        if len(self.notes) < MAX_NOTES:
            self.notes.append(note)
        else:
            self.notes_dropped += 1

    def outcome(self, operation: str, outcome: Outcome, count: int = 1) -> None:
        """Count ``count`` items of ``operation`` that ended ``outcome``."""
        self.outcomes.setdefault(operation, Counter())[outcome] += count

    def count(self, outcome: Outcome) -> int:
        """Return the items of every write operation that ended ``outcome``."""
        return sum(c[outcome] for c in self.outcomes.values())

    def planned_write(self, operation: str, market: str) -> None:
        """Count a planned write for the minimum-calls figure."""
        if operation in ("create", "update"):
            self._upserts_by_market[market] += 1

    def status_reads(self, count: int) -> None:
        """Count items read back with status() (pending confirmation, reconcile)."""
        self._status_reads += count

    def compute_minimum(self) -> int:
        """Return the fewest calls the planned writes and reads can take at the batch limits.

        One call per full batch of each operation: creates and updates go through
        ``upsert`` (one market per call), price/quantity changes through
        ``update_price_quantity``, withdrawals through ``withdraw``, confirmations and
        reconciliation through ``status``. A marketplace whose writes take several calls per
        batch (eBay publishes in three steps) makes more than this.
        """
        limit = self.batch_limits

        def calls(n: int, operation: str) -> int:
            return math.ceil(n / limit.get(operation, 1)) if n else 0

        total = sum(calls(n, "upsert") for n in self._upserts_by_market.values())
        total += calls(self.planned["price_quantity"], "update_price_quantity")
        total += calls(self.planned["withdraw"], "withdraw")
        total += calls(self._status_reads, "status")
        self.minimum_calls = total
        return total

    def to_dict(self) -> dict[str, Any]:
        """Return the target's part as plain data."""
        return {
            "planned": dict(sorted(self.planned.items())),
            "outcomes": {op: dict(sorted(c.items())) for op, c in sorted(self.outcomes.items())},
            "calls": self.calls,
            "write_calls": self.write_calls,
            "token_calls": self.token_calls,
            "minimum_calls": self.minimum_calls,
            "reconciled": dict(sorted(self.reconciled.items())),
            "items": [note.to_dict() for note in self.notes],
            "items_not_listed": self.notes_dropped,
        }


@dataclass(slots=True)
class SyncReport:
    """What a plan, sync or reconcile run did (see the module docs).

    ``kind``: ``"plan"``, ``"sync"`` or ``"reconcile"``; ``dry_run``: nothing was written to
    a marketplace. ``listings``: catalog listings read in the shard; ``catalog_errors``:
    rows that could not be read (they are left as they are on the marketplaces).
    ``duration``: seconds on the job's clock. ``unconfigured``: ``{marketplace: {market:
    count}}`` of live listings in the state store that no configured target covers and the
    run left alone (never withdrawn by themselves; each marketplace also has a note).
    """

    kind: str
    dry_run: bool
    shard: Shard
    started_at: datetime
    finished_at: datetime | None = None
    duration: float = 0.0
    listings: int = 0
    catalog_errors: list[str] = field(default_factory=list)
    targets: dict[str, TargetReport] = field(default_factory=dict)
    translation: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unconfigured: dict[str, dict[str, int]] = field(default_factory=dict)

    def target(self, name: str) -> TargetReport:
        """Return the part of ``name`` (created on first use)."""
        found = self.targets.get(name)
        if found is None:
            found = self.targets[name] = TargetReport(name)
        return found

    @property
    def failed(self) -> int:
        """Items whose write failed, over every target."""
        return sum(t.count("failed") for t in self.targets.values())

    @property
    def ok(self) -> bool:
        """True when no item failed (blocked and deferred items are not failures)."""
        return self.failed == 0

    @property
    def calls(self) -> int:
        """HTTP calls made to marketplaces (retries included, token requests not)."""
        return sum(t.calls for t in self.targets.values())

    @property
    def write_calls(self) -> int:
        """HTTP calls that could change something (not GET or HEAD)."""
        return sum(t.write_calls for t in self.targets.values())

    @property
    def minimum_calls(self) -> int:
        """The fewest calls the work needed at the batch limits (see TargetReport)."""
        return sum(t.minimum_calls for t in self.targets.values())

    def planned(self, operation: str) -> int:
        """Items planned for ``operation`` over every target."""
        return sum(t.planned[operation] for t in self.targets.values())

    @property
    def pending_writes(self) -> int:
        """Items planned for a write (create, update, price/quantity, withdraw)."""
        return sum(self.planned(op) for op in ("create", "update", "price_quantity", "withdraw"))

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain data (JSON-ready)."""
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "shard": str(self.shard),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration": round(self.duration, 3),
            "listings": self.listings,
            "ok": self.ok,
            "failed": self.failed,
            "calls": self.calls,
            "write_calls": self.write_calls,
            "minimum_calls": self.minimum_calls,
            "catalog_errors": list(self.catalog_errors),
            "translation": dict(self.translation),
            "notes": list(self.notes),
            "unconfigured": {name: dict(markets) for name, markets in self.unconfigured.items()},
            "targets": {name: t.to_dict() for name, t in sorted(self.targets.items())},
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Return :meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_csv(self) -> str:
        """Return the items worth a look as CSV for a spreadsheet, one row per item.

        Columns: :data:`CSV_COLUMNS`. Each failed, blocked, deferred or withdrawn item kept
        in the report is a row (``reasons`` joined with ``"; "``); each catalog row that
        could not be read is a row with operation ``read`` and outcome ``skipped``. Text
        cells are escaped against spreadsheet formulas (see :mod:`xborder._csv`).
        """
        rows: list[tuple[object, ...]] = [CSV_COLUMNS]
        for _, target in sorted(self.targets.items()):
            for note in target.notes:
                key = note.key
                rows.append(
                    (
                        key.marketplace,
                        key.market,
                        key.sku,
                        note.operation,
                        note.outcome,
                        "; ".join(note.reasons),
                    )
                )
        rows.extend(("", "", "", "read", "skipped", error) for error in self.catalog_errors)
        return to_csv(rows)

    def summary(self) -> str:
        """Return a few lines for people: per target, the counts and the calls."""
        what = "plan" if self.dry_run and self.kind != "reconcile" else self.kind
        lines = [
            f"{what} of shard {self.shard}: {self.listings} listings in "
            f"{self.duration:.1f} s; {self.calls} calls (minimum {self.minimum_calls}), "
            f"{self.failed} failed"
        ]
        for name, target in sorted(self.targets.items()):
            planned = ", ".join(f"{op} {n}" for op, n in sorted(target.planned.items()) if n)
            line = f"  {name}: {planned or 'nothing'}"
            if target.reconciled:
                line += "; " + ", ".join(f"{k} {v}" for k, v in sorted(target.reconciled.items()))
            done = Counter[str]()
            for counter in target.outcomes.values():
                done.update(counter)
            if done and not self.dry_run:
                line += " -> " + ", ".join(f"{k} {v}" for k, v in sorted(done.items()))
            line += f"; calls {target.calls} (minimum {target.minimum_calls})"
            lines.append(line)
            lines.extend(f"    {note.line(160)}" for note in target.notes)
            if target.notes_dropped:
                lines.append(f"    … and {target.notes_dropped} more")
        for error in self.catalog_errors[:20]:
            lines.append(f"  catalog: {error}")
        if len(self.catalog_errors) > 20:
            lines.append(f"  catalog: … and {len(self.catalog_errors) - 20} more rows")
        lines.extend(f"  note: {note}" for note in self.notes)
        # Reasons come from marketplace answers and catalog rows: never print them raw.
        return "\n".join(terminal_safe(line) for line in lines)

    def __str__(self) -> str:
        return self.summary()


JobEventKind = Literal["planned", "batch", "confirmed", "reconciled", "done"]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """Progress of a run, for callers that are not a terminal (Celery, Airflow, a web UI).

    * ``kind``: ``planned`` (another chunk of listings planned; ``listings`` so far),
      ``batch`` (a batch's results were stored: ``target``, ``operation``, ``items``,
      ``ok``, ``failed``, ``pending``), ``confirmed`` (pending items read back),
      ``reconciled`` (items read back by reconcile), ``done`` (the run finished).
    * ``at``: the job clock's time.
    """

    kind: JobEventKind
    target: str = ""
    operation: str = ""
    items: int = 0
    ok: int = 0
    failed: int = 0
    pending: int = 0
    listings: int = 0
    at: datetime | None = None


#: The type of an ``on_progress`` callback.
ProgressHandler = Callable[[JobEvent], None]
