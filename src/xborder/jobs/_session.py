"""One run of a job: its report, executor, planner and the client events it counts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from xborder.catalog import CatalogReader
from xborder.client import Event
from xborder.clock import today
from xborder.jobs._execute import Execution
from xborder.jobs._plan import PlanContext, Planner
from xborder.jobs._report import JobEvent, SyncReport
from xborder.jobs._shard import Shard
from xborder.jobs._unconfigured import unconfigured, unconfigured_notes
from xborder.listing import Listing

if TYPE_CHECKING:
    from xborder.jobs._job import SyncJob

__all__ = ["Session"]


class Session:
    """Everything one ``plan``/``run``/``arun``/``reconcile`` call shares."""

    def __init__(self, job: SyncJob, kind: str, shard: Shard, *, dry_run: bool) -> None:
        self.job = job
        self.kind = kind
        self.shard = shard
        self.dry_run = dry_run
        self.clock = job.clock
        self.store = job.state
        self.targets = job.targets
        self._started = self.clock.monotonic()
        self.report = SyncReport(kind, dry_run, shard, started_at=self.clock.now())
        self.execution = Execution(
            store=self.store,
            report=self.report,
            clock=self.clock,
            dry_run=dry_run,
            on_progress=job.on_progress,
        )
        self._names = {target.name for target in self.targets}
        for target in self.targets:
            self.execution.part(target)

    # -- the planner ----------------------------------------------------------------------

    def context(self) -> PlanContext:
        """Return the planner's inputs for this run."""
        job = self.job
        return PlanContext(
            targets=self.targets,
            store=self.store,
            shard=self.shard,
            rates=job.rates,
            policy=job.policy,
            seller=job.seller,
            on=job.on if job.on is not None else today(self.clock),
            now=self.clock.now(),
            cache=job.cache,
            translator=job.translator,
            drift_percent=job.fx_drift_percent,
            chunk_size=job.chunk_size,
            withdraw_gone=job.withdraw_gone,
            live_rates=job.live_rates,
        )

    def planner(self) -> Planner:
        """Return a planner over the job's catalog, noting unreadable rows."""
        planner = Planner(self.context(), ())
        planner.catalog = self._catalog(planner, self.job.open_catalog())
        return planner

    def _catalog(self, planner: Planner, source: Iterable[Listing]) -> Iterator[Listing]:
        if not isinstance(source, CatalogReader):
            yield from source
            return
        seen = 0
        for listing in source:
            yield listing
            if len(source.errors) > seen:
                seen = self._bad_rows(planner, source, seen)
        self._bad_rows(planner, source, seen)

    def _bad_rows(self, planner: Planner, reader: CatalogReader, start: int) -> int:
        for error in reader.errors[start:]:
            planner.note_bad_row(error.sku, str(error))
            self.report.catalog_errors.append(str(error))
        return len(reader.errors)

    def planned(self, planner: Planner) -> None:
        """Copy what the planner read into the report."""
        report = self.report
        report.listings = planner.listings
        run = planner.translation
        if run.requested:
            report.translation = {
                "requested": run.requested,
                "cache_hits": run.cache_hits,
                "translated": run.translated,
                "missing": len(run.missing),
            }
        if planner.unreadable:
            report.notes.append(
                f"{len(planner.unreadable)} catalog rows without a readable SKU: nothing was "
                "withdrawn as gone from the catalog in this run"
            )
        elif not planner.listings and self.job.withdraw_gone:
            report.notes.append(
                "the catalog (shard) was empty: nothing was withdrawn as gone from the catalog"
            )
        # Live listings no target covers: said, never withdrawn (a config typo must not
        # take a marketplace down). After the catalog was read, so "unseen" is complete.
        found = unconfigured(self.store, self.targets, self.shard, judges_gone=planner.judges_gone)
        report.unconfigured = found
        report.notes.extend(unconfigured_notes(found, self.targets, self.shard))

    # -- events ---------------------------------------------------------------------------

    def progress(self, event: JobEvent) -> None:
        """Pass a progress event to the job's callback."""
        if self.job.on_progress is not None:
            self.job.on_progress(event)

    def on_event(self, event: Event) -> None:
        """Count a client event (calls per marketplace) and pass it on."""
        if event.kind == "request" and event.marketplace in self._names:
            part = self.report.target(event.marketplace)
            if event.operation == "token":
                part.token_calls += 1
            else:
                part.calls += 1
                if event.method not in ("GET", "HEAD"):
                    part.write_calls += 1
        if self.job.on_event is not None:
            self.job.on_event(event)

    def finish(self) -> SyncReport:
        """Close the report: end time, duration, minimum calls."""
        report = self.report
        report.finished_at = self.clock.now()
        report.duration = max(0.0, self.clock.monotonic() - self._started)
        for part in report.targets.values():
            part.compute_minimum()
        self.progress(JobEvent("done", listings=report.listings, at=report.finished_at))
        return report
