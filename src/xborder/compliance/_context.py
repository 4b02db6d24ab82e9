"""What a compliance rule sees: one listing, one market, one date, one seller (or none)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol, runtime_checkable

from xborder.findings import Finding
from xborder.listing import Listing, Seller
from xborder.localize.channels import ChannelRules
from xborder.markets import Market

__all__ = ["ALL_REGIMES", "Context", "Regime", "Rule"]

Regime = Literal["US", "EU", "UK"]

#: With no seller given, the strictest of these regimes applies (an info finding says so).
ALL_REGIMES: tuple[Regime, ...] = ("US", "EU", "UK")


@dataclass(frozen=True, slots=True)
class Context:
    """The inputs of one check.

    ``regimes`` are the seller's (``seller.regimes``) or, with no seller, all of
    :data:`ALL_REGIMES`; ``language`` is the market's main language (``"de"`` for DE);
    ``channel`` the marketplace's :class:`ChannelRules`, or ``None`` when no channel was named.
    """

    listing: Listing
    market: Market
    on: date
    channel: ChannelRules | None
    seller: Seller | None
    regimes: tuple[Regime, ...]
    language: str


@runtime_checkable
class Rule(Protocol):
    """A compliance rule: reads a :class:`Context`, returns findings; never does I/O.

    ``name`` is the rule's registry name and the family of every finding code it emits
    (``"gpsr"`` → ``gpsr.responsible_person_missing``). A rule must not raise: the engine
    turns an exception into an ``engine.rule_failed`` error finding, but a rule that raises
    on some input is a bug.
    """

    @property
    def name(self) -> str:
        """The registry name, also the family of the rule's finding codes."""
        ...

    def check(self, context: Context) -> Iterable[Finding]:
        """Return the findings for ``context`` (empty when the listing passes)."""
        ...
