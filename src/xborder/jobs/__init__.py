"""Scheduled sync jobs: keep a catalog listed abroad with the fewest calls (docs/jobs.md).

::

    from xborder.jobs import SyncJob, Target

    job = SyncJob.from_config("xborder.toml")      # or SyncJob(catalog, targets, ...)
    print(job.plan())                              # what would change; nothing written
    report = job.run()                             # or: await job.arun()
    report.to_json()

* :class:`SyncJob`, :class:`Target`, :class:`StockRule`: what to sync where, with how much
  stock; :func:`allocate` splits one stock between markets.
* :class:`Planner` decisions (:class:`Decision`): create, update, price/quantity, withdraw,
  unchanged, blocked, deferred; the FX drift and floor rules (:func:`needs_price`).
* :class:`StateStore` and :class:`SQLiteStateStore`: per-item state, the translation
  cache, runs and shard locks; :class:`ItemState` is one item's row.
* :class:`SyncReport`, :class:`JobEvent`: what a run did, and progress while it runs.
* :class:`Shard`, :func:`shard_of`: a stable partition of the catalog by SKU.
"""

from __future__ import annotations

from xborder.jobs._errors import EventLoopError, JobConfigError, JobError, ShardLockedError
from xborder.jobs._job import DEFAULT_FX_DRIFT_PERCENT, CatalogSource, SyncJob
from xborder.jobs._plan import OPERATIONS, WRITES, Decision, Operation
from xborder.jobs._price import needs_price
from xborder.jobs._report import ItemNote, JobEvent, SyncReport, TargetReport
from xborder.jobs._shard import Shard, shard_of
from xborder.jobs._sqlite import SQLiteStateStore
from xborder.jobs._state import ItemState, PendingWrite, StateStore
from xborder.jobs._stock import StockRule, allocate
from xborder.jobs._target import DAILY_REVISIONS, Target

__all__ = [
    "DAILY_REVISIONS",
    "DEFAULT_FX_DRIFT_PERCENT",
    "OPERATIONS",
    "WRITES",
    "CatalogSource",
    "Decision",
    "EventLoopError",
    "ItemNote",
    "ItemState",
    "JobConfigError",
    "JobError",
    "JobEvent",
    "Operation",
    "PendingWrite",
    "SQLiteStateStore",
    "Shard",
    "ShardLockedError",
    "StateStore",
    "StockRule",
    "SyncJob",
    "SyncReport",
    "Target",
    "TargetReport",
    "allocate",
    "needs_price",
    "shard_of",
]
