"""Targets: which marketplace, which markets, which settings, how much stock.

A :class:`Target` names a marketplace (a registry name or an adapter), the markets to list
in, and optionally the adapter's settings (without them the adapter reads its environment),
a :class:`~xborder.jobs.StockRule`, a pricing policy of its own, and what to do with items
whose quantity drops to zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

from xborder.errors import ConfigurationError
from xborder.jobs._stock import StockRule
from xborder.marketplaces import Adapter, MarketplaceSettings, Operation
from xborder.marketplaces import get as get_adapter
from xborder.pricing import PricingPolicy

__all__ = ["DAILY_REVISIONS", "Target"]

#: Revisions a marketplace allows per listing per day, and the UTC offset of its day.
#: eBay: "Each listing can be revised up to 250 times in one calendar day" (note on every
#: Inventory API write); its day is Pacific time, taken as UTC-8 (never reopens early).
DAILY_REVISIONS: Final[Mapping[str, tuple[int, int]]] = {"ebay": (250, -8)}

#: Batch size assumed for an operation whose adapter declares no batch limit.
DEFAULT_BATCH: Final = 50


@dataclass(eq=False)
class Target:
    """One marketplace a job lists on, and in which markets.

    * ``marketplace``: a registry name (``"ebay"``) or an :class:`~xborder.marketplaces.Adapter`.
    * ``markets``: country codes (``("DE", "GB")``).
    * ``settings``: the adapter's settings; ``None`` reads them from the environment
      (``XBORDER_EBAY_*`` …). Ignored when ``marketplace`` is an adapter.
    * ``stock``: how much of each listing's stock this target may offer.
    * ``policy``: a pricing policy for this target only (default: the job's).
    * ``channel``: the channel rules to prepare offers with (default: the adapter's).
    * ``zero_quantity``: ``"withdraw"`` (default) takes a listing whose quantity is 0 off
      sale; ``"keep"`` keeps it listed with quantity 0.
    * ``daily_revisions``: revisions allowed per listing per day (default: the
      marketplace's known cap, :data:`DAILY_REVISIONS`; ``0`` for none).

    Marketplaces whose settings name a ``base_market`` (Meta: one catalog item per product,
    the other markets are overrides of it) get all markets of a product in one upsert, and
    a product that cannot be listed in its base market is blocked in the others.
    """

    marketplace: str | Adapter
    markets: Sequence[str]
    settings: MarketplaceSettings | None = None
    stock: StockRule = field(default_factory=StockRule)
    policy: PricingPolicy | None = None
    channel: str | None = None
    zero_quantity: Literal["withdraw", "keep"] = "withdraw"
    daily_revisions: int | None = None
    _adapter: Adapter | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.markets, str):
            raise TypeError(f"markets: expected a list of country codes, got {self.markets!r}")
        markets = tuple(str(m).strip().upper() for m in self.markets)
        if not markets:
            raise ConfigurationError(f"target {self.label}: no markets")
        if len(set(markets)) != len(markets):
            raise ConfigurationError(f"target {self.label}: a market is listed twice")
        self.markets = markets
        if not isinstance(self.stock, StockRule):
            raise TypeError(f"stock: expected a StockRule, got {type(self.stock).__name__}")
        if self.zero_quantity not in ("withdraw", "keep"):
            raise ConfigurationError(
                f"target {self.label}: zero_quantity is 'withdraw' or 'keep', "
                f"got {self.zero_quantity!r}"
            )
        if not isinstance(self.marketplace, str):
            self._adapter = self.marketplace
            self._check_markets(self.marketplace)

    @property
    def label(self) -> str:
        """The marketplace's name as given (before the adapter is loaded)."""
        if isinstance(self.marketplace, str):
            return self.marketplace
        return str(getattr(self.marketplace, "name", type(self.marketplace).__name__))

    @property
    def adapter(self) -> Adapter:
        """The adapter, loaded from the registry on first use."""
        if self._adapter is None:
            name = str(self.marketplace)
            if self.settings is None:
                self._adapter = get_adapter(name)
            else:
                self._adapter = get_adapter(name, settings=self.settings)
            self._check_markets(self._adapter)
        return self._adapter

    def _check_markets(self, adapter: Adapter) -> None:
        sites = adapter.capabilities.sites
        unknown = [m for m in self.markets if sites and m not in sites]
        if unknown:
            raise ConfigurationError(
                f"target {adapter.name}: the adapter serves no market {', '.join(unknown)} "
                f"(it serves {', '.join(sorted(sites))})"
            )

    @property
    def name(self) -> str:
        """The adapter's registry name: the ``marketplace`` of every key of this target."""
        return self.adapter.name

    @property
    def channel_name(self) -> str:
        """The channel offers are prepared for."""
        return self.channel or self.adapter.capabilities.channel or self.adapter.name

    @property
    def base_market(self) -> str | None:
        """The market whose item the others are overrides of (Meta), or None."""
        base = getattr(self.adapter.settings, "base_market", None)
        return base.upper() if isinstance(base, str) and base.upper() in self.markets else None

    def batch_limit(self, operation: Operation) -> int:
        """Return the most items one call of ``operation`` takes (else :data:`DEFAULT_BATCH`)."""
        return self.adapter.capabilities.batch_limit(operation) or DEFAULT_BATCH

    def revision_cap(self) -> int | None:
        """Revisions allowed per listing per day, or None when unlimited."""
        if self.daily_revisions is not None:
            return self.daily_revisions or None
        known = DAILY_REVISIONS.get(self.name)
        return known[0] if known else None

    def revision_day(self, now: datetime) -> str:
        """Return the marketplace's calendar day at ``now`` (for daily caps), as ISO text."""
        offset = DAILY_REVISIONS.get(self.name, (0, 0))[1]
        return (now + timedelta(hours=offset)).date().isoformat()
