"""Bodies the adapter builds: the research §2.7 bodies field for field, and the derived rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import xborder as xb
from marketplaces.ebay._support import listing, offer, rules, settings
from xborder.marketplaces.ebay import CONDITIONS, SITES, Payload, build, split_address
from xborder.marketplaces.ebay._payload import amount, language_headers, price_quantity_request

DE = SITES["EBAY_DE"]


def payload(item: xb.Listing | None = None, market: str = "DE", **config: Any) -> Payload:
    prepared = offer(item, market)
    site = SITES[f"EBAY_{market}"]
    conf = settings(**config)
    site_settings = conf.site_settings(site)
    assert site_settings is not None
    return build(prepared, site, site_settings, conf.wire_sku(prepared.key.sku, site))


def assert_valid(p: Payload) -> None:
    assert rules().validate("InventoryItem", p.item_body) == []
    assert rules().validate("BulkInventoryItem", {"requests": [p.inventory_item]}) == []
    assert rules().validate("BulkEbayOfferDetailsWithKeys", {"requests": [p.offer]}) == []
    assert rules().validate("EbayOfferDetailsWithKeys", p.offer) == []
    assert rules().validate("EbayOfferDetailsWithId", p.offer_update()) == []


# -- golden: research/marketplace-apis.md §2.7, field for field ---------------------------------


def golden_listing() -> xb.Listing:
    return listing(
        "SKU-123",
        title="Handgemachte Steinzeugtasse",
        description="Handgemachte Tasse aus Steinzeug.",
        language="de",
        price=xb.Money("16.80", "EUR"),  # + 19 % VAT = 19.99 EUR in Germany
        quantity=5,
        brand="Töpferei Berg",
        images=("https://images.example.com/1.jpg",),
    )


def test_golden_inventory_item() -> None:
    p = payload(golden_listing())
    assert p.sku == "SKU-123-DE"
    assert p.content_language == "de-DE"
    assert p.item_body == {
        "product": {
            "title": "Handgemachte Steinzeugtasse",
            "description": "Handgemachte Tasse aus Steinzeug.",
            "aspects": {"Marke": ["Töpferei Berg"]},
            "imageUrls": ["https://images.example.com/1.jpg"],
        },
        "condition": "NEW",
        "availability": {"shipToLocationAvailability": {"quantity": 5}},
    }
    assert p.inventory_item == {"sku": "SKU-123-DE", "locale": "de_DE", **p.item_body}
    assert_valid(p)


def test_golden_offer() -> None:
    p = payload(golden_listing())
    assert p.offer == {
        "sku": "SKU-123-DE",
        "marketplaceId": "EBAY_DE",
        "format": "FIXED_PRICE",
        "availableQuantity": 5,
        "categoryId": "20625",
        "merchantLocationKey": "WH1",
        "listingDescription": "Handgemachte Tasse aus Steinzeug.",
        "listingPolicies": {
            "fulfillmentPolicyId": "6196932000",
            "paymentPolicyId": "6196933000",
            "returnPolicyId": "6196934000",
        },
        "pricingSummary": {"price": {"value": "19.99", "currency": "EUR"}},
    }
    assert list(p.offer) == [
        "sku",
        "marketplaceId",
        "format",
        "availableQuantity",
        "categoryId",
        "merchantLocationKey",
        "listingDescription",
        "listingPolicies",
        "pricingSummary",
    ]


def test_golden_price_quantity_request() -> None:
    body = {
        "requests": [
            price_quantity_request("SKU-123-DE", "9001", price=xb.Money("17.99", "EUR"), quantity=3)
        ]
    }
    assert body == {
        "requests": [
            {
                "offers": [
                    {
                        "offerId": "9001",
                        "availableQuantity": 3,
                        "price": {"value": "17.99", "currency": "EUR"},
                    }
                ],
                "shipToLocationAvailability": {"quantity": 3},
                "sku": "SKU-123-DE",
            }
        ]
    }
    assert rules().validate("BulkPriceQuantity", body) == []
    price_only = price_quantity_request("S", "1", price=xb.Money("5", "GBP"), quantity=None)
    assert price_only == {
        "offers": [{"offerId": "1", "price": {"value": "5.00", "currency": "GBP"}}],
        "sku": "S",
    }


def test_headers_carry_the_content_language() -> None:
    assert language_headers("de-DE") == {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Content-Language": "de-DE",
        "Accept-Language": "de-DE",
    }
    assert language_headers(None, body=False) == {"Accept": "application/json"}


# -- every body validates against the rules derived from the contract ---------------------------


def full_listing() -> xb.Listing:
    return listing(
        "MUG-01-BLU",
        description="<p>Wheel-thrown mug.</p>\n<ul><li>Dishwasher safe</li></ul>",
        price=xb.Money("38.00", "USD"),
        quantity=24,
        brand="Blue Ridge Kiln",
        mpn="BRK-MUG01-BLU",
        gtin="860001234015",
        images=tuple(f"https://images.example.com/mug-{i}.jpg" for i in range(24)),
        weight={"value": "1.4", "unit": "lb"},
        dimensions={"length": "70", "width": "60", "height": "60", "unit": "mm"},
        attributes={"color": ["Blue", "White"], "material": "Stoneware"},
        manufacturer={
            "name": "Blue Ridge Kiln & Leather Co.",
            "postal_address": "418 Kiln Yard Lane, Asheville, NC 28801, United States",
            "email": "hello@blueridgekiln.example.com",
            "url": "https://blueridgekiln.example.com",
        },
        eu_responsible_person={
            "name": "Liffey Product Compliance Ltd.",
            "postal_address": "Unit 4, 7 Grand Canal Quay, Dublin 2, D02 KX97, Ireland",
            "email": "gpsr@liffeycompliance.example.com",
        },
        safety_information={
            "en": "Hot drinks can cause burns.",
            "de": "Heiße Getränke können verbrühen.",
        },
    )


@pytest.mark.parametrize("market", ["DE", "GB"])
def test_a_full_listing_validates_on_every_site(market: str) -> None:
    p = payload(full_listing(), market)
    assert_valid(p)
    product = p.item_body["product"]
    assert product["brand"] == "Blue Ridge Kiln" and product["mpn"] == "BRK-MUG01-BLU"
    assert product["upc"] == ["860001234015"]
    assert len(product["imageUrls"]) == 24
    assert all(url.startswith("https://") for url in product["imageUrls"])
    assert p.item_body["packageWeightAndSize"] == {
        "weight": {"value": 1.4, "unit": "POUND"},
        "dimensions": {"length": 7, "width": 6, "height": 6, "unit": "CENTIMETER"},
    }
    assert p.offer["pricingSummary"]["price"]["currency"] == SITES[f"EBAY_{market}"].currency


def test_aspects_are_names_with_value_lists_in_the_site_language() -> None:
    de = payload(full_listing(), "DE").item_body["product"]["aspects"]
    assert de["Marke"] == ["Blue Ridge Kiln"]
    assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in de.values())
    gb = payload(full_listing(), "GB").item_body["product"]["aspects"]
    assert gb == {
        "Brand": ["Blue Ridge Kiln"],
        "Color": ["Blue", "White"],
        "Material": ["Stoneware"],
    }


def test_aspect_values_carry_plain_spaces_not_cldrs_no_break_spaces() -> None:
    # The localized measure comes out of CLDR with a no-break space; the seller's own value
    # may hold one too.
    item = listing(attributes={"capacity": "350 ml", "size": "12\u202fcm"})
    aspects = payload(item, "DE").item_body["product"]["aspects"]
    values = [v for vs in aspects.values() for v in vs]
    assert not any(c in v for v in values for c in "\u00a0\u202f\u2007")
    assert "350 ml" in aspects["Fassungsvermögen"] and "12 cm" in values


def test_long_aspects_are_cut_with_a_warning() -> None:
    p = payload(listing(attributes={"finish": "x" * 60}), "GB")
    assert all(len(v) <= 50 for v in p.item_body["product"]["aspects"]["Finish"])
    assert [n.code for n in p.notes] == ["ebay.aspect_shortened"]
    assert_valid(p)


def test_regulatory_fields_carry_manufacturer_and_responsible_person() -> None:
    regulatory = payload(full_listing(), "DE").offer["regulatory"]
    assert regulatory["manufacturer"] == {
        "companyName": "Blue Ridge Kiln & Leather Co.",
        "addressLine1": "418 Kiln Yard Lane",
        "city": "Asheville",
        "stateOrProvince": "NC",
        "postalCode": "28801",
        "country": "US",
        "email": "hello@blueridgekiln.example.com",
        "contactUrl": "https://blueridgekiln.example.com",
    }
    assert regulatory["responsiblePersons"] == [
        {
            "companyName": "Liffey Product Compliance Ltd.",
            "addressLine1": "Unit 4, 7 Grand Canal Quay",
            "city": "Dublin 2",
            "postalCode": "D02 KX97",
            "country": "IE",
            "email": "gpsr@liffeycompliance.example.com",
            "types": ["EUResponsiblePerson"],
        }
    ]
    assert "productSafety" not in regulatory  # no label ids configured


def test_safety_information_goes_into_the_description_and_labels_into_product_safety() -> None:
    config = {
        "sites": {
            "EBAY_DE": {
                **settings().sites["EBAY_DE"].model_dump(),
                "product_safety": {"*": {"statements": ["SS1"], "pictograms": ["P1"]}},
            }
        }
    }
    p = payload(full_listing(), "DE", **config)
    description = p.offer["listingDescription"]
    assert description.endswith(
        "<h3>Sicherheitshinweise</h3><p>Heiße Getränke können verbrühen.</p>"
    )
    assert p.offer["regulatory"]["productSafety"] == {
        "pictograms": ["P1"],
        "statements": ["SS1"],
        "component": "Heiße Getränke können verbrühen.",
    }
    assert_valid(p)


def test_an_address_that_cannot_be_split_is_left_out_with_a_warning() -> None:
    item = full_listing().model_copy(
        update={
            "manufacturer": xb.Party(
                name="Maker", postal_address="Somewhere in Shenzhen", email="a@b.cn"
            )
        }
    )
    p = payload(item)
    assert p.offer["regulatory"]["manufacturer"] == {"companyName": "Maker", "email": "a@b.cn"}
    assert [(n.code, n.field, n.severity) for n in p.notes] == [
        ("ebay.address_not_split", "manufacturer.postal_address", "warning")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Musterstraße 1, 10115 Berlin, Deutschland",
            {
                "addressLine1": "Musterstraße 1",
                "city": "Berlin",
                "postalCode": "10115",
                "country": "DE",
            },
        ),
        (
            "1 Main Street, London SW1A 1AA, United Kingdom",
            {
                "addressLine1": "1 Main Street",
                "city": "London",
                "postalCode": "SW1A 1AA",
                "country": "GB",
            },
        ),
        (
            "Keizersgracht 1, 1015 CJ Amsterdam, Netherlands",
            {
                "addressLine1": "Keizersgracht 1",
                "city": "Amsterdam",
                "postalCode": "1015 CJ",
                "country": "NL",
            },
        ),
        (
            "ul. Długa 5, 00-950 Warszawa, Polska",
            {
                "addressLine1": "ul. Długa 5",
                "city": "Warszawa",
                "postalCode": "00-950",
                "country": "PL",
            },
        ),
        (
            "1 Main St, Dover, DE 19901-1234, USA",
            {
                "addressLine1": "1 Main St",
                "city": "Dover",
                "stateOrProvince": "DE",
                "postalCode": "19901",
                "country": "US",
            },
        ),
        (
            # GPSR reads Northern Ireland as "XI"; eBay's country codes are ISO: GB.
            "1 Donegall Sq, Belfast BT1 5GS, Northern Ireland",
            {
                "addressLine1": "1 Donegall Sq",
                "city": "Belfast",
                "postalCode": "BT1 5GS",
                "country": "GB",
            },
        ),
        (
            "12 Rue de Rivoli, 75001 Paris, France, EU",
            {
                "addressLine1": "12 Rue de Rivoli",
                "city": "Paris",
                "postalCode": "75001",
                "country": "FR",
            },
        ),
        ("Shenzhen, China", None),
        ("Main Street, Berlin, Germany", None),
        ("1 Main Street, Dover, DE 19901", None),  # Delaware or Germany: no country
    ],
)
def test_split_address(text: str, expected: dict[str, str] | None) -> None:
    assert split_address(text) == expected


def test_conditions_map_to_condition_enum() -> None:
    enum = rules().enums["ConditionEnum"]["values"]
    assert set(CONDITIONS.values()) <= set(enum)
    for condition, wire in CONDITIONS.items():
        assert payload(listing(condition=condition)).item_body["condition"] == wire


def test_amounts_are_strings_with_the_currency_digits() -> None:
    assert amount(xb.Money("19.9", "EUR")) == {"value": "19.90", "currency": "EUR"}
    assert amount(xb.Money("1999", "JPY")) == {"value": "1999", "currency": "JPY"}
    assert amount(xb.Money(Decimal("0.005"), "GBP")) == {"value": "0.01", "currency": "GBP"}


def test_a_long_description_is_cut_for_the_inventory_item_only() -> None:
    text = "<p>" + ("Sentence of the description. " * 200) + "</p>"
    p = payload(listing(description=text), "GB")
    assert len(p.item_body["product"]["description"]) <= 4000
    assert "<p>" not in p.item_body["product"]["description"]
    assert (
        p.offer["listingDescription"]
        == offer(listing(description=text), "GB").content.description.text
    )
    assert_valid(p)


def test_listings_without_optional_parts_leave_them_out() -> None:
    p = payload(
        listing(brand=None, images=(), description="", category=None),
        "DE",
        sites={
            "EBAY_DE": {**settings().sites["EBAY_DE"].model_dump(), "default_category_id": "99"}
        },
    )
    assert p.item_body["product"] == {"title": "Handmade stoneware mug, 350 ml"}
    assert p.offer["categoryId"] == "99"
    assert "listingDescription" not in p.offer and "regulatory" not in p.offer
    assert_valid(p)


@pytest.mark.parametrize(
    ("gtin", "field"),
    [
        ("860001234015", "upc"),
        ("4006381333931", "ean"),
        ("9780306406157", "isbn"),
        ("96385074", "ean"),
        ("10860001234012", None),
    ],
)
def test_each_gtin_goes_in_its_own_product_field(gtin: str, field: str | None) -> None:
    # Product has upc, ean and isbn; a GTIN-14 (a trade unit) has no field and is not sent.
    p = payload(full_listing().model_copy(update={"gtin": gtin}), "DE")
    product = p.item_body["product"]
    assert_valid(p)
    sent = {name: product[name] for name in ("upc", "ean", "isbn") if name in product}
    assert sent == ({field: [gtin]} if field else {})
    if field is None:
        assert "ebay.gtin_not_sent" in [note.code for note in p.notes]
