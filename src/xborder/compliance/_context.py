"""What a compliance rule sees: one listing, one market, one date, one seller (or none)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal, Protocol, runtime_checkable

from xborder.findings import Finding
from xborder.listing import Listing, Seller
from xborder.localize.channels import ChannelRules
from xborder.markets import Market

__all__ = ["ALL_REGIMES", "Context", "Regime", "Rule"]

Regime = Literal["US", "EU", "UK"]

#: With no seller given, the strictest of these regimes applies (an info finding says so).
ALL_REGIMES: tuple[Regime, ...] = ("US", "EU", "UK")


@dataclass(frozen=True, slots=True, init=False)
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

    def __init__(
        self,
        listing: Listing,
        market: Market,
        on: date,
        channel: ChannelRules | None,
        seller: Seller | None,
        regimes: tuple[Regime, ...],
        language: str,
    ) -> None:
        # What the dataclass would generate, through the slots' own setters: its __init__
        # looks up and calls object.__setattr__ once per field, nearly twice as slow,
        # and every check() builds a Context.
        _SET_LISTING(self, listing)
        _SET_MARKET(self, market)
        _SET_ON(self, on)
        _SET_CHANNEL(self, channel)
        _SET_SELLER(self, seller)
        _SET_REGIMES(self, regimes)
        _SET_LANGUAGE(self, language)


# The slot descriptors' __set__ bypasses the frozen dataclass's __setattr__ (which refuses
# every assignment); only Context.__init__ uses them.
_SET_LISTING: Final[Any] = Context.__dict__["listing"].__set__
_SET_MARKET: Final[Any] = Context.__dict__["market"].__set__
_SET_ON: Final[Any] = Context.__dict__["on"].__set__
_SET_CHANNEL: Final[Any] = Context.__dict__["channel"].__set__
_SET_SELLER: Final[Any] = Context.__dict__["seller"].__set__
_SET_REGIMES: Final[Any] = Context.__dict__["regimes"].__set__
_SET_LANGUAGE: Final[Any] = Context.__dict__["language"].__set__


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
