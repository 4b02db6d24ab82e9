"""The two drivers of a run: :func:`drive` (``Client``) and :func:`adrive` (``AsyncClient``).

Both take the same :class:`Session` (planner, executor, state, report) and differ only in how
a call is made: ``marketplace.upsert(...)`` or ``await marketplace.upsert(...)``. ``adrive``
runs one worker per target, so the marketplaces are served in parallel, each within its own
rate limit (the client's token buckets); the planner feeds them through bounded queues, so
memory stays flat however long the catalog is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterator, Sequence
from typing import Any

from xborder.client import AsyncClient, AsyncMarketplace, Client, Marketplace
from xborder.errors import (
    AuthenticationError,
    ConfigurationError,
    MarketplaceError,
    XborderError,
)
from xborder.jobs._errors import EventLoopError
from xborder.jobs._execute import Batch, Execution, StatusBatch, status_batches
from xborder.jobs._plan import Decision, Planner, RunFlow
from xborder.jobs._report import JobEvent
from xborder.jobs._session import Session
from xborder.jobs._state import StateStore
from xborder.jobs._target import Target
from xborder.marketplaces import ItemResult

__all__ = ["adrive", "apoll_pending", "drive", "ensure_no_loop", "poll_pending"]

#: Errors after which a target's remaining batches are not sent: every call would fail alike.
#: (A ConfigurationError, such as an unmapped eBay category, is raised before any request and
#: concerns its batch only: the other batches still go.)
_FATAL = (AuthenticationError,)
#: Batches queued per target ahead of its worker (arun): bounds memory, keeps workers busy.
_QUEUE_DEPTH = 4


def ensure_no_loop(method: str) -> None:
    """Raise :class:`EventLoopError` naming ``arun()`` when an event loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise EventLoopError(
        f"SyncJob.{method}() cannot run inside a running event loop (it would block it); "
        f"use `await job.a{method}()` there"
    )


# -- calls: the only code written twice ---------------------------------------------------------


def _call(market: Marketplace, batch: Batch, store: StateStore) -> list[ItemResult]:
    if batch.call == "upsert":
        return market.upsert(batch.offers(), known=batch.known(store))
    if batch.call == "update_price_quantity":
        return market.update_price_quantity(batch.updates())
    return market.withdraw(batch.keys(), known=batch.known())


async def _acall(market: AsyncMarketplace, batch: Batch, store: StateStore) -> list[ItemResult]:
    if batch.call == "upsert":
        return await market.upsert(batch.offers(), known=batch.known(store))
    if batch.call == "update_price_quantity":
        return await market.update_price_quantity(batch.updates())
    return await market.withdraw(batch.keys(), known=batch.known())


def _execute(execution: Execution, market: Marketplace, batch: Batch) -> None:
    if id(batch.target) in execution.stopped:
        execution.skip(batch)
        return
    try:
        results = _call(market, batch, execution.store)
    except MarketplaceError as error:
        execution.fail(batch, error, stop=isinstance(error, _FATAL))
        return
    except ConfigurationError as error:
        execution.fail(batch, error)
        return
    execution.apply(batch, results)


async def _aexecute(execution: Execution, market: AsyncMarketplace, batch: Batch) -> None:
    if id(batch.target) in execution.stopped:
        execution.skip(batch)
        return
    try:
        results = await _acall(market, batch, execution.store)
    except MarketplaceError as error:
        execution.fail(batch, error, stop=isinstance(error, _FATAL))
        return
    except ConfigurationError as error:
        execution.fail(batch, error)
        return
    execution.apply(batch, results)


# -- pending writes -------------------------------------------------------------------------


def _pending_batches(session: Session, target: Target) -> Iterator[StatusBatch]:
    rows = session.store.select(target.name, session.shard, status="pending")
    return iter(status_batches(target, rows))


def poll_pending(session: Session, markets: dict[int, Marketplace]) -> int:
    """Read back every pending write once; return how many are still pending."""
    left = 0
    for target in session.targets:
        for batch in _pending_batches(session, target):
            session.execution.part(target).status_reads(len(batch.keys))
            try:
                results = markets[id(target)].status(batch.keys, known=batch.known())
            except (MarketplaceError, ConfigurationError) as error:
                session.report.notes.append(f"{target.name}: status read failed: {error}")
                left += len(batch.keys)
                continue
            left += session.execution.confirm(batch, results)
    return left


async def apoll_pending(session: Session, markets: dict[int, AsyncMarketplace]) -> int:
    """Read back every pending write once, targets in parallel; return how many are left."""

    async def one(target: Target) -> int:
        left = 0
        for batch in _pending_batches(session, target):
            session.execution.part(target).status_reads(len(batch.keys))
            try:
                results = await markets[id(target)].status(batch.keys, known=batch.known())
            except (MarketplaceError, ConfigurationError) as error:
                session.report.notes.append(f"{target.name}: status read failed: {error}")
                left += len(batch.keys)
                continue
            left += session.execution.confirm(batch, results)
        return left

    return sum(await asyncio.gather(*(one(target) for target in session.targets)))


def _wait_pending(session: Session, markets: dict[int, Marketplace]) -> None:
    deadline = session.clock.monotonic() + session.job.pending_timeout
    while poll_pending(session, markets) and session.clock.monotonic() < deadline:
        session.clock.sleep(session.job.poll_interval)


async def _await_pending(session: Session, markets: dict[int, AsyncMarketplace]) -> None:
    deadline = session.clock.monotonic() + session.job.pending_timeout
    while await apoll_pending(session, markets) and session.clock.monotonic() < deadline:
        await session.clock.asleep(session.job.poll_interval)


# -- the planner loop -----------------------------------------------------------------------


def _flow_failed(session: Session, planner: Planner, step: RunFlow, error: XborderError) -> None:
    if step.purpose == "rates":
        # The chain behind the live source (the shipped snapshot) prices this run.
        session.report.notes.append(f"live exchange rates not fetched: {error}")
        return
    # Without translations the offers keep the seller's text (with findings), as prepare()
    # gives them; the run goes on rather than leaving the whole catalog unsynced.
    session.report.notes.append(f"machine translation stopped: {error}")
    planner.context.translator = None


def _steps(session: Session, planner: Planner) -> Generator[Decision | RunFlow, Any, None]:
    """Yield the planner's steps, with a progress event after every chunk of listings."""
    steps = planner.steps()
    reply: Any = None
    seen = 0
    try:
        while True:
            step = steps.send(reply)
            reply = yield step
            if planner.listings != seen:
                seen = planner.listings
                session.progress(JobEvent("planned", listings=seen, at=session.clock.now()))
    except StopIteration:
        return
    finally:
        steps.close()


def drive(session: Session, client: Client | None) -> None:
    """Plan and, unless it is a dry run, execute with ``client`` (sync)."""
    markets = (
        {} if client is None else {id(t): client.marketplace(t.adapter) for t in session.targets}
    )
    execution = session.execution
    if not session.dry_run:
        poll_pending(session, markets)
    planner = session.planner()
    steps = _steps(session, planner)
    reply: Any = None
    try:
        while True:
            try:
                step = steps.send(reply)
            except StopIteration:
                break
            reply = None
            if isinstance(step, RunFlow):
                assert client is not None
                try:
                    reply = client.run(step.flow)
                except XborderError as error:
                    _flow_failed(session, planner, step, error)
                continue
            for batch in execution.take(step):
                _execute(execution, markets[id(batch.target)], batch)
        for batch in execution.rest():
            _execute(execution, markets[id(batch.target)], batch)
    finally:
        steps.close()
    session.planned(planner)
    if not session.dry_run and session.job.pending_timeout > 0:
        _wait_pending(session, markets)


async def adrive(session: Session, client: AsyncClient) -> None:
    """Plan and, unless it is a dry run, execute with ``client``, targets in parallel."""
    markets = {id(t): client.marketplace(t.adapter) for t in session.targets}
    execution = session.execution
    if not session.dry_run:
        await apoll_pending(session, markets)
    queues: dict[int, asyncio.Queue[Batch | None]] = {
        id(t): asyncio.Queue(_QUEUE_DEPTH) for t in session.targets
    }

    async def worker(target: Target) -> None:
        queue = queues[id(target)]
        while (batch := await queue.get()) is not None:
            await _aexecute(execution, markets[id(target)], batch)

    workers = [asyncio.create_task(worker(t)) for t in session.targets]
    planner = session.planner()
    steps = _steps(session, planner)
    reply: Any = None
    try:
        while True:
            try:
                step = steps.send(reply)
            except StopIteration:
                break
            reply = None
            if isinstance(step, RunFlow):
                try:
                    reply = await client.run(step.flow)
                except XborderError as error:
                    _flow_failed(session, planner, step, error)
                continue
            for batch in execution.take(step):
                await _put(queues[id(batch.target)], batch, workers)
        for batch in execution.rest():
            await _put(queues[id(batch.target)], batch, workers)
        for queue in queues.values():
            await _put(queue, None, workers)
        await asyncio.gather(*workers)
    finally:
        steps.close()
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    session.planned(planner)
    if not session.dry_run and session.job.pending_timeout > 0:
        await _await_pending(session, markets)


async def _put(
    queue: asyncio.Queue[Batch | None], batch: Batch | None, workers: Sequence[asyncio.Task[None]]
) -> None:
    """Queue ``batch``; re-raise what a worker raised (a bug, not a call failure) meanwhile.

    A worker only ends early by raising, and then its queue would never drain: waiting for
    the put alone could wait for ever.
    """
    put = asyncio.ensure_future(queue.put(batch))
    done, _ = await asyncio.wait([put, *workers], return_when=asyncio.FIRST_COMPLETED)
    if put in done:
        return
    put.cancel()
    for task in workers:
        if task.done():
            task.result()  # raises the worker's exception
