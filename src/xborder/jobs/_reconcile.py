"""Reconcile: read what each marketplace holds and adopt existing listings by SKU.

For every item of the run's shard (the catalog's SKUs in each target's markets, and the
listed items gone from the catalog) ``status()`` says what the marketplace holds now. The
state follows it: a listing unknown to the state is **adopted** (its ids kept, its content
marked unknown, so the next sync updates it in place instead of creating a second one); one
that ended on the marketplace is marked not listed; one the marketplace does not know is
marked missing. Edits made on the marketplace are thus seen by the next plan, with reasons,
rather than overwritten blindly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Literal

from xborder.client import AsyncMarketplace, Marketplace
from xborder.errors import ConfigurationError, MarketplaceError
from xborder.jobs._execute import StatusBatch, issues_text
from xborder.jobs._report import ItemNote, JobEvent
from xborder.jobs._session import Session
from xborder.jobs._state import ItemState
from xborder.jobs._target import Target
from xborder.marketplaces import ItemResult, OfferKey

__all__ = ["ReconcileOutcome", "adopt", "areconcile", "reconcile", "reconcile_batches"]

ReconcileOutcome = Literal[
    "adopted", "missing", "ended", "found", "changed", "unchanged", "failed", "absent"
]


def adopt(
    key: OfferKey, row: ItemState | None, result: ItemResult, now: datetime
) -> tuple[ItemState | None, ReconcileOutcome]:
    """Return the state of ``key`` after reading ``result`` (None: nothing to store)."""
    if result.failed:
        return None, "failed"
    state = result.state
    if state == "absent" or state is None:
        if row is None or not row.listed:
            return None, "absent"
        return row.replace(
            listed=False, state="absent", status="ok", pending=None, updated_at=now
        ), "missing"
    listed = state in ("live", "pending", "rejected")
    if row is None:
        return ItemState(
            key,
            listed=listed,
            status="ok",
            operation="adopt",
            remote=result.remote,
            state=state,
            updated_at=now,
        ), "adopted"
    remote = row.remote.merge(result.remote) if row.remote is not None else result.remote
    if row.listed == listed and row.state == state and row.remote == remote:
        return None, "unchanged"
    outcome: ReconcileOutcome = (
        "ended"
        if row.listed and not listed
        else "found"
        if listed and not row.listed
        else "changed"
    )
    return row.replace(listed=listed, state=state, remote=remote, updated_at=now), outcome


def reconcile_batches(session: Session) -> Iterator[StatusBatch]:
    """Yield status batches for every item of the shard, per target, at its status limit."""
    planner = session.planner()
    store, targets = session.store, session.targets
    buffers: dict[int, list[tuple[OfferKey, ItemState | None]]] = {id(t): [] for t in targets}

    def full(index: int) -> Iterator[StatusBatch]:
        target = targets[index]
        buffer = buffers[id(target)]
        limit = target.batch_limit("status")
        while len(buffer) >= limit:
            yield _batch(target, buffer[:limit])
            del buffer[:limit]

    for chunk in planner.chunks():
        skus = [listing.sku for listing in chunk]
        for index, target in enumerate(targets):
            rows = {row.key: row for row in store.rows(target.name, skus)}
            for listing in chunk:
                for market in target.markets:
                    key = OfferKey(target.name, market, listing.sku)
                    row = rows.get(key)
                    if row is None or row.status != "pending":
                        buffers[id(target)].append((key, row))
            yield from full(index)
    session.planned(planner)
    for index, target in enumerate(targets):
        if planner.judges_gone:
            for row in store.unseen(target.name, session.shard):
                if row.status != "pending":
                    buffers[id(target)].append((row.key, row))
                    yield from full(index)
        buffer = buffers[id(target)]
        if buffer:
            yield _batch(target, buffer)
            buffer.clear()


def _batch(target: Target, items: Sequence[tuple[OfferKey, ItemState | None]]) -> StatusBatch:
    return StatusBatch(target, [row for _, row in items], [key for key, _ in items])


def apply(session: Session, batch: StatusBatch, results: Sequence[ItemResult]) -> None:
    """Store what ``results`` say (one transaction) and count it in the report."""
    now = session.clock.now()
    part = session.execution.part(batch.target)
    part.status_reads(len(batch.keys))
    rows: list[ItemState] = []
    for key, row, result in zip(batch.keys, batch.rows, results, strict=True):
        new, outcome = adopt(key, row, result, now)
        part.reconciled[outcome] += 1
        if new is not None:
            rows.append(new)
        if outcome in ("adopted", "missing", "ended", "found", "failed"):
            why = issues_text(result) if outcome == "failed" else f"marketplace: {result.state}"
            part.note(ItemNote(key, "reconcile", outcome, (why,)))
    if rows and not session.dry_run:
        session.store.write(rows, kind="status")
    session.progress(JobEvent("reconciled", batch.target.name, "status", len(batch.keys), at=now))


def _failed(session: Session, batch: StatusBatch, error: BaseException) -> None:
    part = session.execution.part(batch.target)
    part.status_reads(len(batch.keys))
    part.reconciled["failed"] += len(batch.keys)
    message = f"{type(error).__name__}: {error}"
    for key in batch.keys:
        part.note(ItemNote(key, "reconcile", "failed", (message,)))


def reconcile(session: Session, markets: dict[int, Marketplace]) -> None:
    """Read back every item of the shard (sync)."""
    for batch in reconcile_batches(session):
        try:
            results = markets[id(batch.target)].status(batch.keys, known=batch.known())
        except (MarketplaceError, ConfigurationError) as error:
            _failed(session, batch, error)
            continue
        apply(session, batch, results)


async def areconcile(session: Session, markets: dict[int, AsyncMarketplace]) -> None:
    """Read back every item of the shard, marketplaces in parallel."""
    queues: dict[int, asyncio.Queue[StatusBatch | None]] = {
        id(t): asyncio.Queue(4) for t in session.targets
    }

    async def worker(key: int) -> None:
        while (batch := await queues[key].get()) is not None:
            try:
                results = await markets[key].status(batch.keys, known=batch.known())
            except (MarketplaceError, ConfigurationError) as error:
                _failed(session, batch, error)
                continue
            apply(session, batch, results)

    workers = [asyncio.create_task(worker(id(t))) for t in session.targets]
    try:
        for batch in reconcile_batches(session):
            await queues[id(batch.target)].put(batch)
        for queue in queues.values():
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
