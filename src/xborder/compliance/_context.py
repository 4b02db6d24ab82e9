"""What a compliance rule sees: one listing, one market, one date, one seller (or none)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Final, Literal, Protocol, runtime_checkable

from xborder.findings import Finding
from xborder.listing import Listing, Seller
from xborder.localize.channels import ChannelRules
from xborder.markets import Market

__all__ = ["ALL_REGIMES", "Context", "Regime", "Rule", "field_values"]

Regime = Literal["US", "EU", "UK"]

#: With no seller given, the strictest of these regimes applies (an info finding says so).
ALL_REGIMES: tuple[Regime, ...] = ("US", "EU", "UK")


@dataclass(frozen=True, slots=True, init=False)
class Context:
    """The inputs of one check.

    ``regimes`` are the seller's (``seller.regimes``) or, with no seller, all of
    :data:`ALL_REGIMES`; ``language`` is the market's main language (``"de"`` for DE);
    ``channel`` the marketplace's :class:`ChannelRules`, or ``None`` when no channel was named.
    ``values`` is :func:`field_values` of the listing: read it, never write to it.
    """

    listing: Listing
    market: Market
    on: date
    channel: ChannelRules | None
    seller: Seller | None
    regimes: tuple[Regime, ...]
    language: str
    values: Mapping[str, Any] = field(init=False, repr=False, compare=False)

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
        _SET_VALUES(self, field_values(listing))


# The slot descriptors' __set__ bypasses the frozen dataclass's __setattr__ (which refuses
# every assignment); only Context.__init__ uses them.
_SET_LISTING: Final[Any] = Context.__dict__["listing"].__set__
_SET_MARKET: Final[Any] = Context.__dict__["market"].__set__
_SET_ON: Final[Any] = Context.__dict__["on"].__set__
_SET_CHANNEL: Final[Any] = Context.__dict__["channel"].__set__
_SET_SELLER: Final[Any] = Context.__dict__["seller"].__set__
_SET_REGIMES: Final[Any] = Context.__dict__["regimes"].__set__
_SET_LANGUAGE: Final[Any] = Context.__dict__["language"].__set__
_SET_VALUES: Final[Any] = Context.__dict__["values"].__set__


class _Building:
    """A Context being built by :func:`build_context`: its slots, without its frozenness."""

    __slots__ = Context.__slots__
    listing: object
    market: Market
    on: date
    channel: ChannelRules | None
    seller: Seller | None
    regimes: tuple[Regime, ...]
    language: str
    values: Mapping[str, Any]


def build_context(
    listing: Listing,
    market: Market,
    on: date,
    channel: ChannelRules | None,
    seller: Seller | None,
    regimes: tuple[Regime, ...],
    language: str,
) -> Context:
    """Return ``Context(listing, market, ...)``, built in about half the time; for the engine.

    Every check() builds a Context, and a frozen dataclass can be filled only through one
    call per field: this fills an object of a class with the same slots by plain
    assignments, then makes it a Context (Python allows assigning ``__class__`` between
    classes of the same layout). The result is a genuine, frozen Context; tests/compliance/
    test_context.py holds the two ways to the same value.
    """
    context = _Building()
    context.listing = listing
    context.market = market
    context.on = on
    context.channel = channel
    context.seller = seller
    context.regimes = regimes
    context.language = language
    # field_values() written out for a genuine, complete Listing (every check's case).
    values = listing.__dict__ if type(listing) is Listing else None
    if values is not None and len(values) == _LISTING_FIELDS:
        context.values = MappingProxyType(values)
    else:
        context.values = field_values(listing)
    context.__class__ = Context  # type: ignore[assignment]
    return context  # type: ignore[return-value]


#: How many fields a Listing has: a genuine Listing whose __dict__ holds that many holds
#: exactly its fields (pydantic keeps nothing else there for a model that forbids extras).
_LISTING_FIELDS: Final = len(Listing.model_fields)


def field_values(listing: object) -> Mapping[str, Any]:
    """Return the listing's field values by field name, for the rules to read.

    For a genuine :class:`Listing` holding every field (any validated one) this is a
    read-only view of the model's own ``__dict__``: reading a name there is several times
    cheaper than reading the attribute of a pydantic model (whose ``__getattr__`` hook keeps
    the interpreter from specialising attribute reads), and every rule reads a dozen fields
    per check. The view cannot change the (frozen) listing.
    For anything else (a subclass, an object built without validation, junk) it is a
    view whose ``values[name]`` is ``getattr(listing, name, None)`` and whose
    ``values.get(name, default)`` is ``getattr(listing, name, default)``, read when asked
    (an attribute that raises does so in the rule that reads it, as before).
    """
    if type(listing) is Listing:
        values: dict[str, Any] = listing.__dict__
        if len(values) == _LISTING_FIELDS:
            return MappingProxyType(values)
    return _Attributes(listing)


class _Attributes(Mapping[str, Any]):
    """The attributes of an object that is not a complete Listing, read one at a time."""

    __slots__ = ("_of",)

    def __init__(self, of: object) -> None:
        self._of = of

    def __getitem__(self, name: str) -> Any:
        return getattr(self._of, name, None)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self._of, name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(Listing.model_fields)

    def __len__(self) -> int:
        return _LISTING_FIELDS

    def __repr__(self) -> str:
        return f"<the attributes of a {type(self._of).__name__}>"


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
