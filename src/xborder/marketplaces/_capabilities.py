"""What a marketplace adapter can do and within which limits: :class:`Capabilities`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final, Literal

from xborder.localize.channels import ChannelRules, channel_rules

__all__ = ["OPERATIONS", "Capabilities", "Operation", "RateLimit", "Setting", "Site"]

#: The operations of the adapter protocol.
Operation = Literal["upsert", "update_price_quantity", "withdraw", "status"]
OPERATIONS: Final[tuple[Operation, ...]] = ("upsert", "update_price_quantity", "withdraw", "status")


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A documented request rate: ``rate`` requests per second sustained, ``burst`` at once.

    ``source`` is the URL of the document that states it. The client's token bucket for
    the operation starts from this and adapts to what the marketplace's headers say.
    """

    rate: float
    burst: int = 1
    source: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.rate, bool) or not isinstance(self.rate, int | float) or self.rate <= 0:
            raise ValueError(f"RateLimit.rate: expected a number > 0, got {self.rate!r}")
        if isinstance(self.burst, bool) or not isinstance(self.burst, int) or self.burst < 1:
            raise ValueError(f"RateLimit.burst: expected an int >= 1, got {self.burst!r}")


@dataclass(frozen=True, slots=True)
class Site:
    """One market a marketplace serves: the country, its currency and content language.

    ``site_id`` is the marketplace's id for it (eBay ``EBAY_DE``, Amazon ``A1PA6795UKMFR9``,
    a Meta country code); ``language`` the BCP 47 tag content is written in (``de-DE``).
    """

    market: str
    currency: str
    language: str
    site_id: str = ""


@dataclass(frozen=True, slots=True)
class Setting:
    """A setting an adapter needs before it can write, and where the seller gets it."""

    name: str
    description: str
    per_site: bool = False
    required: bool = True


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What one adapter can do, and the marketplace's documented limits.

    * ``operations``: the protocol operations it implements (others raise
      :class:`~xborder.errors.UnsupportedOperationError`).
    * ``batch_limits``: the most items one call of an operation takes; adapters split larger
      inputs themselves, so these inform planners, not callers.
    * ``rate_limits``: per wire operation (``HttpRequest.operation``), with ``"*"`` as the
      default for operations not listed.
    * ``partial_update``: price/quantity can change without resending the content.
    * ``asynchronous``: writes may come back ``pending`` and are confirmed later.
    * ``sites``: the markets served, keyed by country code.
    * ``channel``: the name of the :class:`~xborder.localize.channels.ChannelRules` that
      apply to listings' text and images on this marketplace.
    * ``settings``: what must be configured before writing (policies, locations, ids).
    * ``sources``: URLs of the documents the limits come from.
    """

    name: str
    operations: frozenset[Operation] = frozenset(OPERATIONS)
    batch_limits: Mapping[Operation, int] = field(default_factory=lambda: MappingProxyType({}))
    rate_limits: Mapping[str, RateLimit] = field(default_factory=lambda: MappingProxyType({}))
    partial_update: bool = True
    asynchronous: bool = False
    sites: Mapping[str, Site] = field(default_factory=lambda: MappingProxyType({}))
    channel: str | None = None
    settings: tuple[Setting, ...] = ()
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.operations) - set(OPERATIONS)
        if unknown:
            raise ValueError(f"Capabilities.operations: unknown {sorted(unknown)}")
        for operation, limit in self.batch_limits.items():
            if operation not in OPERATIONS:
                raise ValueError(f"Capabilities.batch_limits: unknown operation {operation!r}")
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise ValueError(
                    f"Capabilities.batch_limits[{operation!r}]: expected an int >= 1, got {limit!r}"
                )
        object.__setattr__(self, "batch_limits", MappingProxyType(dict(self.batch_limits)))
        object.__setattr__(self, "rate_limits", MappingProxyType(dict(self.rate_limits)))
        object.__setattr__(self, "sites", MappingProxyType(dict(self.sites)))

    def batch_limit(self, operation: Operation) -> int | None:
        """Return the batch limit of ``operation``, or None when it has none."""
        return self.batch_limits.get(operation)

    def rate_limit(self, operation: str) -> RateLimit | None:
        """Return the rate limit of wire ``operation`` (or the ``"*"`` default), or None."""
        return self.rate_limits.get(operation) or self.rate_limits.get("*")

    def site(self, market: str) -> Site | None:
        """Return the site serving ``market`` (a country code), or None."""
        return self.sites.get(market.upper())

    def channel_rules(
        self, *, on: date | None = None, market: str | None = None
    ) -> ChannelRules | None:
        """Return the channel rules in force ``on`` for ``market`` (see :func:`channel_rules`).

        None when the marketplace names no channel.
        """
        return channel_rules(self.channel, on=on, market=market) if self.channel else None
