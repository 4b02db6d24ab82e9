"""The executor's decisions, shared by ``run()`` and ``arun()``: batches in, state rows out.

:class:`Execution` fills one buffer per (target, call, market) with the planner's write
decisions and hands back a :class:`Batch` whenever a buffer reaches the marketplace's batch
limit. After the batch's call, :meth:`Execution.apply` turns the per-item results into state
rows, stores them in one transaction (each batch commits atomically) and counts them in the
report. Only the call itself differs between the sync and async drivers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

from xborder.clock import Clock
from xborder.jobs._plan import Decision
from xborder.jobs._report import (
    ItemNote,
    JobEvent,
    Outcome,
    ProgressHandler,
    SyncReport,
    TargetReport,
)
from xborder.jobs._state import ItemState, PendingWrite, StateStore
from xborder.jobs._target import Target
from xborder.marketplaces import (
    ItemResult,
    OfferKey,
    Operation,
    PriceQuantityUpdate,
    RemoteRef,
)
from xborder.offer import Offer

__all__ = ["Batch", "Call", "Execution", "StatusBatch", "confirm", "issues_text"]

Call = Literal["upsert", "update_price_quantity", "withdraw"]

#: A write still pending (read back ``absent``) after this long is sent again.
PENDING_EXPIRY: Final = timedelta(days=1)

_CALLS: Final[dict[str, Call]] = {
    "create": "upsert",
    "update": "upsert",
    "price_quantity": "update_price_quantity",
    "withdraw": "withdraw",
}


def _merge(old: RemoteRef | None, new: RemoteRef | None) -> RemoteRef | None:
    if old is None:
        return new
    return old.merge(new)


def issues_text(result: ItemResult) -> str:
    """Return the issues of a failed result as one line (codes and messages)."""
    found = result.errors or result.issues
    return "; ".join(str(issue) for issue in found) or result.status


def _deferrable(result: ItemResult) -> bool:
    # A daily cap (eBay's 250 revisions) is not a failure of the item: it waits a day.
    return any(issue.code.endswith("revision_limit") for issue in result.issues)


@dataclass(slots=True)
class Batch:
    """Decisions for one call of one target's marketplace."""

    target: Target
    call: Call
    decisions: list[Decision]

    def offers(self) -> list[Offer]:
        """Return the offers of an ``upsert`` batch."""
        return [d.offer for d in self.decisions if d.offer is not None]

    def known(self, store: StateStore | None = None) -> dict[OfferKey, RemoteRef]:
        """Return the remote ids kept for the batch's items.

        With ``store``, the ids of every market of the batch's SKUs, as stored now: an
        adapter may need a product's other markets (Meta checks its base item exists).
        """
        found = {
            d.key: d.row.remote
            for d in self.decisions
            if d.row is not None and d.row.remote is not None
        }
        if store is not None:
            skus = list(dict.fromkeys(d.key.sku for d in self.decisions))
            for row in store.rows(self.target.name, skus):
                if row.remote is not None:
                    found[row.key] = row.remote
        return found

    def updates(self) -> list[PriceQuantityUpdate]:
        """Return the changes of an ``update_price_quantity`` batch."""
        return [
            PriceQuantityUpdate(
                d.key,
                price=d.price,
                quantity=d.quantity,
                remote=d.row.remote if d.row is not None else None,
            )
            for d in self.decisions
        ]

    def keys(self) -> list[OfferKey]:
        """Return the keys of a ``withdraw`` batch."""
        return [d.key for d in self.decisions]


@dataclass(slots=True)
class StatusBatch:
    """Items to read back with ``status()``: pending writes, or a reconcile."""

    target: Target
    rows: list[ItemState | None]
    keys: list[OfferKey] = field(default_factory=list)

    def known(self) -> dict[OfferKey, RemoteRef]:
        """Return the remote ids kept for the batch's items."""
        return {
            row.key: row.remote for row in self.rows if row is not None and row.remote is not None
        }


class Execution:
    """Batches, results and state for one run (see the module docs)."""

    def __init__(
        self,
        *,
        store: StateStore,
        report: SyncReport,
        clock: Clock,
        dry_run: bool,
        on_progress: ProgressHandler | None = None,
    ) -> None:
        self.store = store
        self.report = report
        self.clock = clock
        self.dry_run = dry_run
        self.on_progress = on_progress
        self._buffers: dict[tuple[int, Call, str], tuple[Target, list[Decision]]] = {}
        self.stopped: dict[int, str] = {}  # target id → why its calls stopped

    # -- planning -----------------------------------------------------------------------------

    def part(self, target: Target) -> TargetReport:
        """Return the report's part for ``target`` (with its batch limits)."""
        part = self.report.target(target.name)
        if not part.batch_limits:
            ops: tuple[Operation, ...] = ("upsert", "update_price_quantity", "withdraw", "status")
            part.batch_limits = {op: target.batch_limit(op) for op in ops}
        return part

    def take(self, decision: Decision) -> list[Batch]:
        """Count ``decision``; return the batch it completes, if any."""
        target = decision.target
        part = self.part(target)
        operation = decision.operation
        part.planned[operation] += 1
        part.planned_write(operation, decision.key.market)
        if operation in ("blocked", "deferred"):
            part.note(ItemNote(decision.key, operation, operation, decision.reasons))
        if not decision.writes or self.dry_run:
            return []
        call = _CALLS[operation]
        by_product = call == "upsert" and target.base_market is not None
        # Upserts go one market per call (eBay and Amazon take one site per call), except
        # where a product's markets must travel together (Meta's base item and overrides).
        market = decision.key.market if call == "upsert" and not by_product else ""
        group = (id(target), call, market)
        _, buffer = self._buffers.setdefault(group, (target, []))
        limit = target.batch_limit(call)
        if by_product:
            # Flush only between products, never in the middle of one.
            ready: list[Batch] = []
            if len(buffer) >= limit and buffer[-1].key.sku != decision.key.sku:
                ready.append(Batch(target, call, list(buffer)))
                buffer.clear()
            buffer.append(decision)
            return ready
        buffer.append(decision)
        if len(buffer) >= limit:
            del self._buffers[group]
            return [Batch(target, call, buffer)]
        return []

    def rest(self) -> list[Batch]:
        """Return every batch not full yet (the end of the catalog)."""
        batches = [
            Batch(target, call, buffer) for (_, call, _), (target, buffer) in self._buffers.items()
        ]
        self._buffers.clear()
        return batches

    # -- results ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Return the job clock's time."""
        return self.clock.now()

    def apply(self, batch: Batch, results: Sequence[ItemResult]) -> None:
        """Store one row per result (one transaction) and count the outcomes."""
        now = self.now()
        part = self.part(batch.target)
        rows: list[ItemState] = []
        counts = {"ok": 0, "failed": 0, "pending": 0}
        for decision, result in zip(batch.decisions, results, strict=True):
            row, outcome = self._after(decision, result, now)
            rows.append(row)
            part.outcome(decision.operation, outcome)
            counts[outcome if outcome in counts else "failed"] += outcome != "deferred"
            if outcome in ("failed", "deferred"):
                part.note(
                    ItemNote(decision.key, decision.operation, outcome, (issues_text(result),))
                )
        self.store.write(rows)
        self._progress(
            JobEvent("batch", batch.target.name, batch.call, len(rows), at=now, **counts)
        )

    def fail(self, batch: Batch, error: BaseException, *, stop: bool = False) -> None:
        """Store every item of a call that failed as a whole as failed (one transaction)."""
        now = self.now()
        message = f"{type(error).__name__}: {error}"
        part = self.part(batch.target)
        rows = []
        for decision in batch.decisions:
            base = decision.row or ItemState(decision.key)
            rows.append(
                base.replace(
                    status="failed",
                    operation=decision.operation,
                    last_error=message,
                    attempts=base.attempts + 1,
                    updated_at=now,
                )
            )
            part.outcome(decision.operation, "failed")
            part.note(ItemNote(decision.key, decision.operation, "failed", (message,)))
        self.store.write(rows)
        if stop:
            self.stopped[id(batch.target)] = message
        self._progress(
            JobEvent("batch", batch.target.name, batch.call, len(rows), failed=len(rows), at=now)
        )

    def skip(self, batch: Batch) -> None:
        """Count the items of a target whose calls stopped as failed; store nothing."""
        why = f"not sent: {self.stopped[id(batch.target)]}"
        part = self.part(batch.target)
        for decision in batch.decisions:
            part.outcome(decision.operation, "failed")
            part.note(ItemNote(decision.key, decision.operation, "failed", (why,)))

    def _after(self, d: Decision, result: ItemResult, now: datetime) -> tuple[ItemState, Outcome]:
        base = d.row or ItemState(d.key)
        remote = _merge(base.remote, result.remote)
        if result.failed:
            wait = result.retry_after
            return base.replace(
                status="failed",
                operation=d.operation,
                remote=remote,
                last_error=issues_text(result),
                attempts=base.attempts + 1,
                not_before=now + timedelta(seconds=wait) if wait else None,
                updated_at=now,
            ), "deferred" if _deferrable(result) else "failed"
        if d.operation == "withdraw":
            # The ids a withdrawal returns are what is left of the listing (eBay drops the
            # listingId of an ended listing): they replace the old ones, which would say
            # "published" to the next upsert.
            remote = result.remote if result.remote else base.remote
            if result.pending:
                return base.replace(
                    status="pending",
                    operation="withdraw",
                    pending=PendingWrite("withdraw"),
                    remote=remote,
                    updated_at=now,
                ), "pending"
            return base.replace(
                listed=False,
                status="ok",
                operation="withdraw",
                state=result.state or "inactive",
                remote=remote,
                pending=None,
                last_error=None,
                attempts=0,
                not_before=None,
                updated_at=now,
            ), "ok"
        written = self._written(d, base)
        if result.pending:
            return base.replace(
                listed=True,
                status="pending",
                operation=d.operation,
                pending=written,
                remote=remote,
                state=result.state or base.state,
                updated_at=now,
            ), "pending"
        confirmed = _confirmed(base, written, now, d.target)
        return confirmed.replace(
            remote=remote, state=result.state or confirmed.state, updated_at=now
        ), "ok"

    @staticmethod
    def _written(d: Decision, base: ItemState) -> PendingWrite:
        offer = d.offer
        assert offer is not None
        if d.operation == "price_quantity":
            return PendingWrite(
                "price_quantity",
                price=d.price if d.price is not None else base.price,
                quantity=d.quantity if d.quantity is not None else base.quantity,
                basis=d.basis,
            )
        return PendingWrite(
            d.operation,
            fingerprint=offer.content_fingerprint,
            price=offer.price,
            quantity=offer.quantity,
            basis=d.basis,
        )

    def _progress(self, event: JobEvent) -> None:
        if self.on_progress is not None:
            self.on_progress(event)

    # -- reading back pending writes ----------------------------------------------------------

    def confirm(self, batch: StatusBatch, results: Sequence[ItemResult]) -> int:
        """Apply ``status()`` results to pending items (one transaction); return those left."""
        now = self.now()
        part = self.part(batch.target)
        rows: list[ItemState] = []
        counts = {"ok": 0, "failed": 0, "pending": 0}
        for row, result in zip(batch.rows, results, strict=True):
            if row is None or row.pending is None:
                raise ValueError("confirm(): every row of the batch must hold a pending write")
            operation = row.pending.operation
            new, outcome = confirm(row, result, now, batch.target)
            if new is not row:
                rows.append(new)
            counts[outcome] += 1
            part.outcome(operation, outcome)
            if outcome == "failed":
                part.note(ItemNote(row.key, operation, "failed", (new.last_error or "",)))
        if rows:
            self.store.write(rows, kind="status")
        self._progress(
            JobEvent("confirmed", batch.target.name, "status", len(batch.rows), at=now, **counts)
        )
        return counts["pending"]


def _confirmed(base: ItemState, written: PendingWrite, now: datetime, target: Target) -> ItemState:
    revise = base.listed and written.operation in ("update", "price_quantity")
    day = target.revision_day(now)
    revisions = (base.revisions if base.revision_day == day else 0) + (1 if revise else 0)
    return base.replace(
        listed=True,
        status="ok",
        operation=written.operation,
        fingerprint=written.fingerprint if written.fingerprint is not None else base.fingerprint,
        price=written.price if written.price is not None else base.price,
        quantity=written.quantity if written.quantity is not None else base.quantity,
        basis=written.basis if written.basis is not None else base.basis,
        pending=None,
        last_error=None,
        attempts=0,
        not_before=None,
        revisions=revisions,
        revision_day=day,
    )


def confirm(
    row: ItemState, result: ItemResult, now: datetime, target: Target
) -> tuple[ItemState, Literal["ok", "failed", "pending"]]:
    """Return ``row`` after a status read of its pending write, and the write's outcome.

    A pending create or update is confirmed when the listing reads ``live`` (or
    ``inactive``: accepted, not for sale), failed when ``rejected``; a pending withdrawal
    is confirmed when the listing reads ``inactive`` or ``absent``. Anything else stays
    pending; a write still unknown to the marketplace (or still processing) a day later is
    failed, so the next run sends it again.
    """
    pending = row.pending
    if pending is None:
        raise ValueError(f"{row.key}: no pending write to confirm")
    remote = _merge(row.remote, result.remote)
    state = result.state
    if result.failed:
        return row, "pending"
    if pending.operation == "withdraw":
        if state in ("inactive", "absent"):
            return row.replace(
                listed=False,
                status="ok",
                state=state,
                pending=None,
                remote=remote,
                last_error=None,
                attempts=0,
                updated_at=now,
            ), "ok"
        return row, "pending"
    if state in ("live", "inactive"):
        confirmed = _confirmed(row, pending, now, target)
        return confirmed.replace(remote=remote, state=state, updated_at=now), "ok"
    if state == "rejected":
        return row.replace(
            status="failed",
            pending=None,
            remote=remote,
            state=state,
            last_error=issues_text(result) if result.issues else "rejected by the marketplace",
            attempts=row.attempts + 1,
            updated_at=now,
        ), "failed"
    stale = row.updated_at is not None and now - row.updated_at >= PENDING_EXPIRY
    # "pending" too: an asynchronous batch that never finishes (an Amazon feed stuck
    # IN_PROGRESS, a Meta handle stuck "started") reads pending forever, and its items would
    # never be confirmed, failed or sent again. Sending again is harmless: writes are keyed
    # by SKU, so a late finish of the old batch makes no second listing.
    if state in ("absent", "pending") and stale:
        return row.replace(
            status="failed",
            pending=None,
            # An update never processed leaves the old listing on sale; a create, nothing.
            listed=pending.operation != "create",
            last_error=(
                "the marketplace never processed the write"
                if state == "absent"
                else "the marketplace was still processing the write a day later"
            ),
            attempts=row.attempts + 1,
            updated_at=now,
        ), "failed"
    return row, "pending"


def status_batches(target: Target, rows: Iterable[ItemState]) -> Iterable[StatusBatch]:
    """Group ``rows`` into batches of the target's ``status`` limit."""
    limit = target.batch_limit("status")
    batch: list[ItemState | None] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= limit:
            yield StatusBatch(target, batch, [r.key for r in batch if r is not None])
            batch = []
    if batch:
        yield StatusBatch(target, batch, [r.key for r in batch if r is not None])
