""":class:`SyncJob`: keep a catalog listed abroad with the fewest calls, never losing an update.

::

    job = SyncJob(
        "catalog.jsonl",
        [Target("ebay", ["DE", "GB"]), Target("amazon", ["DE"])],
        rates=xborder.rates.bundled(),
        policy=xborder.PricingPolicy(fx_buffer_percent=Decimal(2)),
        seller=seller,
        state="xborder-state.sqlite",
    )
    print(job.plan())          # what would change, per target; nothing is written
    report = job.run()         # or: report = await job.arun()
    job.reconcile()            # adopt what the marketplaces already hold

See docs/jobs.md.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import httpx

from xborder.catalog import CatalogReader, read_catalog
from xborder.client import AsyncClient, Client, EventHandler, RetryPolicy
from xborder.clock import Clock, SystemClock
from xborder.errors import ConfigurationError
from xborder.jobs._errors import JobError
from xborder.jobs._plan import Decision
from xborder.jobs._reconcile import areconcile, reconcile
from xborder.jobs._report import ProgressHandler, SyncReport
from xborder.jobs._run import adrive, apoll_pending, drive, ensure_no_loop, poll_pending
from xborder.jobs._session import Session
from xborder.jobs._shard import Shard
from xborder.jobs._sqlite import SQLiteStateStore
from xborder.jobs._state import StateStore
from xborder.jobs._target import Target
from xborder.listing import Listing, Seller
from xborder.localize.translate import MACHINE_PROVIDERS, TranslationCache, Translator
from xborder.pricing import PricingPolicy
from xborder.rates import ECB, RateSource

__all__ = ["DEFAULT_FX_DRIFT_PERCENT", "CatalogSource", "SyncJob"]

#: Rate moves below this (percent of the last confirmed price) are not sent by themselves.
DEFAULT_FX_DRIFT_PERCENT: Final = Decimal(1)

#: A catalog: a CSV/JSONL path, an iterable of listings, or a function returning one.
CatalogSource = str | os.PathLike[str] | Iterable[Listing] | Callable[[], Iterable[Listing]]

ShardArg = Shard | tuple[int, int] | str | None


class SyncJob:
    """A scheduled sync of one catalog to several marketplaces (see the module docs).

    Args:
        catalog: a ``.csv``/``.jsonl`` path (read anew each run, bad rows collected and left
            alone), an iterable of :class:`~xborder.Listing` that can be iterated again, or
            a function returning one. A one-shot iterator is refused on its second run.
        targets: the :class:`Target` marketplaces and markets (one target per marketplace).
        rates: exchange rates; ``policy``: the pricing policy (per target overrides it);
        seller: who sells, for the compliance regimes.
        state: a :class:`StateStore`, or the path of the SQLite file to keep the state in.
        cache: the translation cache (default: the state store when it is one).
        on: the day whose rates, facts and rules apply (default: today on ``clock``).
        translator: a machine translator (``deepl`` or ``libretranslate``) run through the
            cache before offers are prepared; ``None`` uses the seller's and the glossary's
            text only.
        fx_drift_percent: see the planner's price rule (default 1 %).
        withdraw_gone: withdraw items gone from the catalog (default True).
        clock, http, async_http, retry: handed to the :class:`~xborder.Client` /
            :class:`~xborder.AsyncClient` the job makes (``http``/``async_http`` for
            proxies and tests).
        on_event: the clients' :class:`~xborder.client.Event` callback.
        on_progress: called with a :class:`JobEvent` after each planned chunk and batch.
        pending_timeout, poll_interval: after executing, read back pending writes every
            ``poll_interval`` seconds for up to ``pending_timeout`` seconds (0: leave them
            to the next run).
        chunk_size: listings planned at a time.
        live_rates: live ECB sources (part of ``rates``) to fetch through the client before
            planning, when not fresh.
    """

    def __init__(
        self,
        catalog: CatalogSource,
        targets: Sequence[Target],
        *,
        rates: RateSource,
        policy: PricingPolicy | None = None,
        seller: Seller | None = None,
        state: StateStore | str | os.PathLike[str],
        cache: TranslationCache | None = None,
        on: date | None = None,
        translator: Translator | None = None,
        fx_drift_percent: Decimal | int = DEFAULT_FX_DRIFT_PERCENT,
        withdraw_gone: bool = True,
        clock: Clock | None = None,
        http: httpx.Client | None = None,
        async_http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        on_event: EventHandler | None = None,
        on_progress: ProgressHandler | None = None,
        pending_timeout: float = 0.0,
        poll_interval: float = 30.0,
        chunk_size: int = 256,
        live_rates: Sequence[ECB] = (),
    ) -> None:
        if not targets:
            raise ConfigurationError("SyncJob: no targets")
        if any(not isinstance(t, Target) for t in targets):
            raise TypeError("targets: expected Target values")
        self.catalog = catalog
        self.targets: tuple[Target, ...] = tuple(targets)
        self.rates = rates
        self.policy = policy if policy is not None else PricingPolicy()
        self.seller = seller
        self.state: StateStore = state if isinstance(state, StateStore) else SQLiteStateStore(state)
        self._owns_state = not isinstance(state, StateStore)
        if cache is None and isinstance(self.state, TranslationCache):
            cache = self.state
        self.cache = cache
        self.on = on
        if translator is not None and translator.name not in MACHINE_PROVIDERS:
            raise ConfigurationError(
                f"translator {translator.name!r}: offers read machine translations of "
                f"{', '.join(MACHINE_PROVIDERS)} only"
            )
        self.translator = translator
        if isinstance(fx_drift_percent, float | bool):
            raise TypeError("fx_drift_percent: expected a Decimal, got a float")
        self.fx_drift_percent = Decimal(fx_drift_percent)
        if self.fx_drift_percent < 0:
            raise ValueError("fx_drift_percent: must be >= 0")
        self.withdraw_gone = withdraw_gone
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.http = http
        self.async_http = async_http
        self.retry = retry
        self.on_event = on_event
        self.on_progress = on_progress
        self.pending_timeout = float(pending_timeout)
        self.poll_interval = float(poll_interval)
        if chunk_size < 1:
            raise ValueError("chunk_size: must be >= 1")
        self.chunk_size = chunk_size
        self.live_rates = tuple(live_rates)
        self._used_once = False
        self._resolved = False

    @classmethod
    def from_config(
        cls,
        path: str | os.PathLike[str],
        *,
        environ: dict[str, str] | None = None,
        **overrides: Any,
    ) -> SyncJob:
        """Build a job from a TOML file (see docs/jobs.md); credentials come from ``environ``.

        ``environ`` defaults to :data:`os.environ`; ``overrides`` replace constructor
        arguments (``clock=``, ``http=`` …).
        """
        from xborder.jobs._config import load

        return load(Path(path), environ=environ, overrides=overrides)

    def __repr__(self) -> str:
        names = ", ".join(f"{t.label}:{'+'.join(t.markets)}" for t in self.targets)
        return f"SyncJob(targets=[{names}], state={self.state!r})"

    def close(self) -> None:
        """Close the state store if the job opened it."""
        if self._owns_state:
            self.state.close()

    def __enter__(self) -> SyncJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- catalog and targets ----------------------------------------------------------------

    def open_catalog(self) -> Iterable[Listing]:
        """Return the catalog for one pass (a path is opened anew each time)."""
        source = self.catalog
        if isinstance(source, str | os.PathLike):
            return read_catalog(Path(source), on_error="collect")
        if callable(source):
            return source()
        once = isinstance(source, CatalogReader) or iter(source) is source
        if once:
            if self._used_once:
                raise JobError(
                    "the catalog was an iterator and is used up: pass a path, a list or a "
                    "function returning the listings to run a job more than once"
                )
            self._used_once = True
        return source

    def _resolve(self) -> None:
        if self._resolved:
            return
        names: dict[str, Target] = {}
        for target in self.targets:
            name = target.name  # loads the adapter: settings problems surface here
            if name in names:
                raise ConfigurationError(
                    f"two targets for marketplace {name!r}: list all its markets in one"
                )
            names[name] = target
        self._resolved = True

    def _session(self, kind: str, shard: ShardArg, *, dry_run: bool) -> Session:
        self._resolve()
        return Session(self, kind, Shard.of(shard), dry_run=dry_run)

    def _client(self, session: Session) -> Client:
        return Client(http=self.http, clock=self.clock, retry=self.retry, on_event=session.on_event)

    def _aclient(self, session: Session) -> AsyncClient:
        return AsyncClient(
            http=self.async_http, clock=self.clock, retry=self.retry, on_event=session.on_event
        )

    def _record(self, session: Session, run: Callable[[], None]) -> SyncReport:
        store = session.store
        run_id = store.start_run(
            session.kind, session.shard, dry_run=session.dry_run, at=self.clock.now()
        )
        summary = '{"finished": false}'
        try:
            run()
            report = session.finish()
            summary = report.to_json()
            return report
        finally:
            store.finish_run(run_id, at=self.clock.now(), summary=summary)

    # -- plan -------------------------------------------------------------------------------

    def plan(self, *, shard: ShardArg = None, refresh_remote: bool = False) -> SyncReport:
        """Return what a run would change per target, without writing to any marketplace.

        With ``refresh_remote`` the marketplaces are read first (:meth:`reconcile`, which
        stores what they hold). With a ``translator``, new texts are translated into the
        cache, as a run would do first.
        """
        if refresh_remote:
            self.reconcile(shard=shard)
        session = self._session("plan", shard, dry_run=True)
        if self.translator is None and not self.live_rates:
            drive(session, None)
            return session.finish()
        with self._client(session) as client:
            drive(session, client)
        return session.finish()

    def iter_plan(self, *, shard: ShardArg = None) -> Iterable[Decision]:
        """Yield every item's :class:`Decision` (streaming; no translation step, no writes)."""
        session = self._session("plan", shard, dry_run=True)
        planner = session.planner()
        planner.context.translator = None
        for step in planner.steps():
            if isinstance(step, Decision):
                yield step

    # -- run ----------------------------------------------------------------------------------

    def run(self, *, shard: ShardArg = None, dry_run: bool = False) -> SyncReport:
        """Plan and execute with a :class:`~xborder.Client`; return the report.

        Raises :class:`EventLoopError` inside a running event loop (use :meth:`arun`), and
        :class:`ShardLockedError` when the shard (or another shard count) is running.
        """
        ensure_no_loop("run")
        if dry_run:
            return self.plan(shard=shard)
        session = self._session("sync", shard, dry_run=False)
        with self.state.lock(session.shard):

            def go() -> None:
                with self._client(session) as client:
                    drive(session, client)

            return self._record(session, go)

    async def arun(self, *, shard: ShardArg = None, dry_run: bool = False) -> SyncReport:
        """Plan and execute with an :class:`~xborder.AsyncClient`, marketplaces in parallel."""
        if dry_run:
            return self.plan(shard=shard)
        session = self._session("sync", shard, dry_run=False)

        async def go() -> SyncReport:
            async with self._aclient(session) as client:
                await adrive(session, client)
            return session.finish()

        with self.state.lock(session.shard):
            return await self._arecord(session, go)

    # -- reconcile ------------------------------------------------------------------------------

    def reconcile(self, *, shard: ShardArg = None, dry_run: bool = False) -> SyncReport:
        """Read what each marketplace holds for the shard's items and adopt it (see docs).

        With ``dry_run`` the marketplaces are read and the report says what would be
        adopted, but nothing is stored.
        """
        ensure_no_loop("reconcile")
        session = self._session("reconcile", shard, dry_run=dry_run)

        def go() -> None:
            with self._client(session) as client:
                markets = {id(t): client.marketplace(t.adapter) for t in self.targets}
                if not dry_run:
                    poll_pending(session, markets)
                reconcile(session, markets)

        if dry_run:
            go()
            return session.finish()
        with self.state.lock(session.shard):
            return self._record(session, go)

    async def areconcile(self, *, shard: ShardArg = None, dry_run: bool = False) -> SyncReport:
        """:meth:`reconcile` with an :class:`~xborder.AsyncClient`, marketplaces in parallel."""
        session = self._session("reconcile", shard, dry_run=dry_run)

        async def go() -> SyncReport:
            async with self._aclient(session) as client:
                markets = {id(t): client.marketplace(t.adapter) for t in self.targets}
                if not dry_run:
                    await apoll_pending(session, markets)
                await areconcile(session, markets)
            return session.finish()

        if dry_run:
            return await go()
        with self.state.lock(session.shard):
            return await self._arecord(session, go)

    async def _arecord(
        self, session: Session, run: Callable[[], Awaitable[SyncReport]]
    ) -> SyncReport:
        run_id = self.state.start_run(
            session.kind, session.shard, dry_run=session.dry_run, at=self.clock.now()
        )
        summary = '{"finished": false}'
        try:
            report = await run()
            summary = report.to_json()
            return report
        finally:
            self.state.finish_run(run_id, at=self.clock.now(), summary=summary)
