"""Context: what a rule sees, and the engine's way of building one."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import MappingProxyType

import pytest

from xborder.compliance import ALL_REGIMES, Context
from xborder.compliance._context import build_context, field_values
from xborder.listing import Listing, Seller
from xborder.localize.channels import channel_rules
from xborder.markets import Market
from xborder.money import Money

ON = date(2026, 7, 1)


def _listing() -> Listing:
    return Listing(sku="MUG-1", title="Stoneware mug", price=Money("38.00", "USD"), quantity=3)


class _NotAListing:
    title = "a mug"


def _cases() -> list[tuple[object, ...]]:
    market = Market.for_country("DE", on=ON)
    seller = Seller(country="US", regimes=("US",))
    return [
        (_listing(), market, ON, channel_rules("ebay", on=ON), None, ALL_REGIMES, "de"),
        (_listing(), market, ON, None, seller, ("US",), "de"),
        (Listing.model_construct(sku="X"), market, ON, None, None, ALL_REGIMES, "de"),
        (_NotAListing(), market, ON, None, None, ALL_REGIMES, "de"),
    ]


@pytest.mark.parametrize("args", _cases())
def test_build_context_gives_the_context_the_constructor_gives(args: tuple[object, ...]) -> None:
    built = build_context(*args)  # type: ignore[arg-type]
    made = Context(*args)  # type: ignore[arg-type]
    assert type(built) is Context
    assert built == made
    assert repr(built) == repr(made)
    assert [getattr(built, f.name) for f in dataclasses.fields(Context)][:-1] == list(args)
    # The same view of the listing's fields: read alike, and read-only for a Listing.
    assert type(built.values) is type(made.values)
    assert dict(built.values) == dict(made.values)
    assert built.values["title"] == made.values["title"] == field_values(args[0])["title"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.on = date(2020, 1, 1)  # type: ignore[misc]


def test_a_complete_listing_is_read_through_its_own_field_dict() -> None:
    item = _listing()
    context = build_context(item, Market.for_country("DE", on=ON), ON, None, None, (), "de")
    assert type(context.values) is MappingProxyType
    assert context.values == item.__dict__
    with pytest.raises(TypeError):
        context.values["title"] = "changed"  # type: ignore[index]
