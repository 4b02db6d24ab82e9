"""What a sync job remembers between runs: the :class:`StateStore` protocol and its SQLite default.

Per item, keyed by ``(marketplace, market, sku)`` (an :class:`ItemState`): the content
fingerprint, price and quantity the marketplace last *confirmed*, the price basis, the
marketplace's ids (:class:`~xborder.marketplaces.RemoteRef`), whether it is listed, the
outcome of the last write, the last error, the attempts since the last success, when to try
again, and a write still awaiting confirmation. Besides items the store keeps the
translation cache (it is a :class:`~xborder.localize.translate.TranslationCache`), the job
runs, and a lock per shard.

:class:`SQLiteStateStore` keeps all of it in one SQLite file in WAL mode. Each
:meth:`~StateStore.write` is one transaction: a batch's results are stored together or not at
all. The protocol is the seam for a server database (Postgres, MySQL) when shards run on
several machines (docs/jobs.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, Protocol, runtime_checkable

from xborder.jobs._shard import Shard
from xborder.localize.translate import CachedTranslation, CacheKey
from xborder.marketplaces import ListingState, OfferKey, RemoteRef
from xborder.money import Money

__all__ = [
    "ITEM_STATUSES",
    "CommitHook",
    "ItemState",
    "ItemStatus",
    "PendingWrite",
    "StateStore",
]

#: The outcome of an item's last write: ``ok`` (confirmed), ``pending`` (accepted, not
#: confirmed yet), ``failed`` (refused, or the call failed; see ``last_error``).
ItemStatus = Literal["ok", "pending", "failed"]
ITEM_STATUSES: Final[tuple[ItemStatus, ...]] = ("ok", "pending", "failed")

#: Called with ``(kind, phase)`` around every commit: kind ``"batch"`` (a batch's results),
#: ``"status"``, ``"translation"`` or ``"run"``; phase ``"before"`` or ``"after"``.
CommitHook = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """A write the marketplace accepted but has not confirmed yet, with what it carried."""

    operation: str
    fingerprint: str | None = None
    price: Money | None = None
    quantity: int | None = None
    basis: str | None = None

    def to_json(self) -> str:
        """Return the write as compact JSON."""
        data: dict[str, Any] = {"operation": self.operation}
        if self.fingerprint is not None:
            data["fingerprint"] = self.fingerprint
        if self.price is not None:
            data["price"] = [str(self.price.amount), self.price.currency]
        if self.quantity is not None:
            data["quantity"] = self.quantity
        if self.basis is not None:
            data["basis"] = self.basis
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PendingWrite:
        """Read what :meth:`to_json` wrote."""
        data = json.loads(text)
        price = data.get("price")
        return cls(
            operation=str(data["operation"]),
            fingerprint=data.get("fingerprint"),
            price=Money(price[0], price[1]) if price else None,
            quantity=data.get("quantity"),
            basis=data.get("basis"),
        )


@dataclass(frozen=True, slots=True)
class ItemState:
    """What the job knows about one item on one marketplace in one market.

    * ``listed``: the item is on sale there (or a write putting it on sale is pending).
    * ``fingerprint``, ``price``, ``quantity``, ``basis``: what the marketplace last
      confirmed (``None`` when nothing was confirmed, or an adopted listing whose content is
      unknown); ``basis`` fingerprints what the price was computed from, except the rate.
    * ``remote``: the marketplace's ids; ``state``: the listing state it last reported.
    * ``status``, ``operation``: the outcome of the last write and what it was;
      ``pending``: the write awaiting confirmation; ``last_error``: the issues of the last
      failure; ``attempts``: failures since the last success; ``not_before``: do not try
      again before this time (the marketplace said when).
    * ``revisions``, ``revision_day``: revisions confirmed on the marketplace's day, for
      daily caps such as eBay's 250.
    """

    key: OfferKey
    listed: bool = False
    status: ItemStatus = "ok"
    operation: str | None = None
    fingerprint: str | None = None
    price: Money | None = None
    quantity: int | None = None
    basis: str | None = None
    remote: RemoteRef | None = None
    state: ListingState | None = None
    pending: PendingWrite | None = None
    last_error: str | None = None
    attempts: int = 0
    not_before: datetime | None = None
    revisions: int = 0
    revision_day: str | None = None
    updated_at: datetime | None = None

    def replace(self, **changes: Any) -> ItemState:
        """Return a copy with ``changes``."""
        return dataclasses.replace(self, **changes)


@runtime_checkable
class StateStore(Protocol):
    """Where a sync job keeps its state (see the module docs and docs/jobs.md).

    Implementations must make :meth:`write` atomic (all of a batch or nothing), let
    :meth:`lock` refuse a shard already running anywhere and a different shard count, and
    keep ``mark_seen``/``unseen`` per connection (it is scratch space of one run).
    """

    def rows(self, marketplace: str, skus: Sequence[str]) -> list[ItemState]:
        """Return the items of ``marketplace`` for ``skus``, every market."""
        ...

    def select(
        self,
        marketplace: str,
        shard: Shard,
        *,
        status: ItemStatus | None = None,
        listed: bool | None = None,
    ) -> Iterator[ItemState]:
        """Iterate the items of ``marketplace`` in ``shard``, filtered by status and listing."""
        ...

    def write(self, items: Sequence[ItemState], *, kind: str = "batch") -> None:
        """Store ``items`` (replacing each key's row) in one transaction."""
        ...

    def mark_seen(self, skus: Iterable[str]) -> None:
        """Remember, for this run, that the catalog holds ``skus``."""
        ...

    def unseen(self, marketplace: str, shard: Shard) -> Iterator[ItemState]:
        """Iterate the listed items of ``marketplace`` in ``shard`` whose SKU was not seen."""
        ...

    def reset_seen(self) -> None:
        """Forget the SKUs seen (start of a run)."""
        ...

    def get(self, key: CacheKey) -> CachedTranslation | None:
        """Return a cached translation (the TranslationCache protocol)."""
        ...

    def put(self, key: CacheKey, value: CachedTranslation) -> None:
        """Store a translation (the TranslationCache protocol)."""
        ...

    def start_run(self, kind: str, shard: Shard, *, dry_run: bool, at: datetime) -> int:
        """Record that a run started; return its id."""
        ...

    def finish_run(self, run_id: int, *, at: datetime, summary: str) -> None:
        """Record that run ``run_id`` finished, with its report as JSON."""
        ...

    def lock(self, shard: Shard) -> contextlib.AbstractContextManager[None]:
        """Hold shard ``shard`` for a run; raise :class:`ShardLockedError` when taken."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...
