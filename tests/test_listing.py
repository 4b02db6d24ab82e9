from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder import InvalidListingError, Listing, Money, Party, Seller, Weight, XborderError
from xborder.listing import CATEGORIES, DangerousGoods, is_valid_gtin

BASE: dict[str, Any] = {
    "sku": "MUG-01",
    "title": "Handmade stoneware mug, 350 ml",
    "price": Money("24.00", "USD"),
    "quantity": 12,
}


def make(**changes: Any) -> Listing:
    return Listing(**{**BASE, **changes})


def errors_of(**changes: Any) -> list[tuple[str, object]]:
    with pytest.raises(InvalidListingError) as info:
        make(**changes)
    return [(e.field, e.value) for e in info.value.errors]


def test_minimal_listing_defaults() -> None:
    listing = make()
    assert listing.language == "en"
    assert listing.condition == "new"
    assert listing.images == ()
    assert dict(listing.attributes) == {}
    assert listing.dangerous_goods == DangerousGoods()


def test_full_listing() -> None:
    listing = make(
        description="<p>Thrown by hand.</p>",
        cost=Money("8.00", "USD"),
        brand="Blue Ridge Kiln",
        gtin="0860001234566" if is_valid_gtin("0860001234566") else "4006381333931",
        category="home.drinkware",
        attributes={"color": ["Blue", "White"], "material": "Stoneware"},
        images=["https://images.example.com/mug.jpg"],
        url="https://shop.example.com/mug",
        weight={"value": "0.45", "unit": "kg"},
        dimensions={"length": "12", "width": "9", "height": "10", "unit": "cm"},
        hs_code="6912.00",
        origin_country="US",
        customs_description="Stoneware coffee mug, glazed, 350 ml",
        manufacturer={
            "name": "Blue Ridge Kiln",
            "postal_address": "1 Main St, Asheville, NC 28801, US",
            "email": "hello@example.com",
        },
        safety_information={"en": "Not for microwave use."},
        dangerous_goods={"battery": "none"},
        translations={"de": {"title": "Handgemachte Steinzeugtasse"}},
        variant_group="MUG-01",
    )
    assert listing.hs_code == "691200"
    assert listing.attributes["color"] == ("Blue", "White")
    assert listing.attributes["material"] == ("Stoneware",)
    assert listing.weight == Weight(value=Decimal("0.45"), unit="kg")
    assert listing.translations["de"].title == "Handgemachte Steinzeugtasse"
    assert listing.category in CATEGORIES


def test_immutable() -> None:
    listing = make()
    with pytest.raises(Exception, match="frozen"):
        listing.sku = "X"  # type: ignore[misc]
    with pytest.raises(TypeError):
        listing.attributes["x"] = ("y",)  # type: ignore[index]


def test_unknown_field_refused() -> None:
    assert errors_of(colour="blue") == [("colour", "blue")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": "has space"}, "sku"),
        ({"sku": ""}, "sku"),
        ({"price": Money("0", "USD")}, "price"),
        ({"price": Money("-1", "USD")}, "price"),
        ({"price": {"amount": 1.5, "currency": "USD"}}, "price"),
        ({"price": {"amount": "1", "currency": "XYZ"}}, "price"),
        ({"quantity": -1}, "quantity"),
        ({"gtin": "4006381333932"}, "gtin"),
        ({"gtin": "12345"}, "gtin"),
        ({"hs_code": "69"}, "hs_code"),
        ({"hs_code": "6912AB"}, "hs_code"),
        ({"origin_country": "XX"}, "origin_country"),
        ({"origin_country": "us"}, "origin_country"),
        ({"images": ["http://insecure.example.com/a.jpg"]}, "images.0"),
        ({"language": "zz-notalang"}, "language"),
        ({"title": "line\nbreak"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "bell\x07"}, "description"),
        ({"category": "weapons"}, "category"),
        ({"weight": {"value": 1.5, "unit": "kg"}}, "weight.value"),
        ({"weight": {"value": "-1", "unit": "kg"}}, "weight.value"),
        ({"weight": {"value": "1", "unit": "stone"}}, "weight.unit"),
        ({"condition": "broken"}, "condition"),
        ({"cost": Money("-1", "USD")}, "cost"),
        ({"dangerous_goods": {"battery": "lots"}}, "dangerous_goods.battery"),
        ({"manufacturer": {"name": "A", "postal_address": "B"}}, "manufacturer"),
        (
            {"manufacturer": {"name": "A", "postal_address": "B", "email": "nope"}},
            "manufacturer.email",
        ),
    ],
)
def test_errors_name_field_and_value(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidListingError) as info:
        make(**changes)
    fields = [e.field for e in info.value.errors]
    assert field in fields, fields
    assert isinstance(info.value, ValueError) and isinstance(info.value, XborderError)
    assert field in str(info.value)


def test_gtin_and_exempt_conflict() -> None:
    assert errors_of(gtin="4006381333931", gtin_exempt=True)[0][0] == "listing"


def test_gtin_normalised() -> None:
    assert make(gtin="400-6381 333931").gtin == "4006381333931"


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("4006381333931", True),
        ("036000291452", True),
        ("96385074", True),
        ("10614141000415", True),
        ("4006381333932", False),
        ("", False),
        ("abc", False),
        ("0000000000000", False),  # a placeholder, though its check digit is right
        ("00000000", False),
    ],
)
def test_is_valid_gtin(code: str, ok: bool) -> None:
    assert is_valid_gtin(code) is ok


def test_an_all_zero_gtin_is_refused_as_a_placeholder() -> None:
    with pytest.raises(InvalidListingError) as info:
        make(gtin="0000000000000")
    ((field, value),) = [(e.field, e.value) for e in info.value.errors]
    assert (field, value) == ("gtin", "0000000000000")
    assert "placeholder" in str(info.value)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_gtin_check_digit_is_unique(body: str) -> None:
    valid = [d for d in "0123456789" if is_valid_gtin(body + d)]
    assert len(valid) == (1 if body.strip("0") else 0)


def test_weight_grams() -> None:
    assert Weight(value=Decimal(1), unit="lb").grams() == Decimal("453.59237")
    assert Weight(value=Decimal(2), unit="kg").grams() == Decimal(2000)


def test_party_needs_contact() -> None:
    with pytest.raises(InvalidListingError, match="email or a url"):
        Party(name="A", postal_address="B")
    assert (
        Party(name="A", postal_address="B", url="https://example.com").url == "https://example.com"
    )


def test_seller() -> None:
    seller = Seller(
        country="US",
        regimes=("US",),
        ioss_number="IM3720001234",
        epr_numbers={"DE.packaging": "DE1234567890123"},
        vat_registrations={"GB": "GB123456789"},
    )
    assert seller.epr_numbers["DE.packaging"] == "DE1234567890123"
    with pytest.raises(InvalidListingError, match="ioss_number"):
        Seller(country="US", regimes=("US",), ioss_number="IM12")
    with pytest.raises(InvalidListingError, match="regimes"):
        Seller(country="US", regimes=("CN",))  # type: ignore[arg-type]
    with pytest.raises(InvalidListingError, match="regimes"):
        Seller(country="US", regimes=())


def test_json_round_trip() -> None:
    listing = make(weight={"value": "0.45", "unit": "kg"}, attributes={"color": ["Blue"]})
    again = Listing.model_validate_json(listing.model_dump_json())
    assert again == listing


@pytest.mark.parametrize(
    ("text", "value"),
    [("TRUE", True), ("Yes", True), ("on", True), ("1", True), ("t", True), ("y", True),
     ("false", False), ("No", False), ("off", False), ("0", False), ("F", False), ("n", False)],
)  # fmt: skip
def test_booleans_read_the_spellings_docs_catalog_lists(text: str, value: bool) -> None:
    made = Listing(sku="A", title="t", price=Money("1.00", "USD"), quantity=1, gtin_exempt=text)
    assert made.gtin_exempt is value


@pytest.mark.parametrize("text", ["maybe", "2", "", "nope"])
def test_other_boolean_spellings_fail_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidListingError, match="gtin_exempt"):
        Listing(sku="A", title="t", price=Money("1.00", "USD"), quantity=1, gtin_exempt=text)
