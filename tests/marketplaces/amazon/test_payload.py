"""Offers as SP-API bodies: the research's §1.8 golden bodies, attributes, exact numbers."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

import xborder as xb
from marketplaces.amazon._support import (
    ON,
    adapter,
    body,
    compliant,
    drive,
    listing,
    models,
    offer,
    settings,
    spec,
)
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces import OfferKey, PriceQuantityUpdate, RemoteRef
from xborder.marketplaces.amazon import (
    MARKETPLACES,
    AmazonAdapter,
    build,
    dumps,
    patch_body,
    patch_message,
    price_patch,
    quantity_patch,
)
from xborder.marketplaces.amazon._marketplaces import UNVERIFIED_TAGS
from xborder.marketplaces.amazon._payload import loads
from xborder.testing.amazon import JsonSchema

US = MARKETPLACES["US"]
DE = MARKETPLACES["DE"]

# -- golden bodies (research/marketplace-apis.md §1.8) ---------------------------------------------

#: §1.8 "PUT, create or replace" (Amazon's "Submit listings data" guide).
GOLDEN_PUT_URL = (
    "https://sellingpartnerapi-na.amazon.com/listings/2021-08-01/items/AXXXXXXXXXXXXX/ABC123"
    "?marketplaceIds=ATVPDKIKX0DER&issueLocale=en_US"
)
GOLDEN_PUT = {
    "productType": "LUGGAGE",
    "requirements": "LISTING",
    "attributes": {
        "condition_type": [{"value": "new_new", "marketplace_id": "ATVPDKIKX0DER"}],
        "merchant_suggested_asin": [{"value": "BXXXXXXXXX", "marketplace_id": "ATVPDKIKX0DER"}],
        "main_product_image_locator": [
            {"media_location": "https://example/main.jpg", "marketplace_id": "ATVPDKIKX0DER"}
        ],
    },
}
#: §1.8 "Price only", byte for byte.
GOLDEN_PRICE_PATCH = (
    b'{"op":"replace","path":"/attributes/purchasable_offer","value":[{"marketplace_id":'
    b'"A1PA6795UKMFR9","currency":"EUR","audience":"ALL","our_price":[{"schedule":'
    b'[{"value_with_tax":19.99}]}]}]}'
)
#: Everything the adapter sends for the golden listing beyond what the guide's example has.
EXTRA = frozenset(
    {
        "item_name",
        "batteries_required",
        "supplier_declared_dg_hz_regulation",
        "purchasable_offer",
        "fulfillment_availability",
    }
)


def golden_offer() -> xb.offer.Offer:
    item = xb.Listing(
        sku="ABC123",
        title="Hardside carry-on spinner suitcase",
        price=xb.Money("100.00", "USD"),
        quantity=3,
        category="bags.leather_goods",
        images=("https://example/main.jpg",),
    )
    return xb.prepare(item, "US", channel="amazon", rates=xb.rates.bundled(), on=ON)


def golden_settings(**overrides: Any) -> Any:
    return settings(
        seller_id="AXXXXXXXXXXXXX",
        product_types={"bags.leather_goods": "LUGGAGE"},
        asins={"ABC123": "BXXXXXXXXX"},
        **overrides,
    )


def put_request(**overrides: Any) -> HttpRequest:
    upsert = AmazonAdapter(golden_settings(**overrides)).upsert([golden_offer()])
    request = next(upsert)
    upsert.close()
    return request


def test_golden_put_url_and_body_field_for_field() -> None:
    request = put_request()
    assert request.method == "PUT"
    assert request.url == GOLDEN_PUT_URL
    sent = body(request)
    assert sent["productType"] == GOLDEN_PUT["productType"]
    assert sent["requirements"] == GOLDEN_PUT["requirements"]
    for name, value in GOLDEN_PUT["attributes"].items():
        assert sent["attributes"][name] == value, name
    assert set(sent["attributes"]) == set(GOLDEN_PUT["attributes"]) | EXTRA


def test_golden_put_exactly_when_the_offer_attributes_are_left_out() -> None:
    request = put_request(omit_attributes=EXTRA)
    assert body(request) == GOLDEN_PUT
    assert request.headers["Content-Type"] == "application/json"
    assert request.operation == "put_listings_item"
    assert request.is_idempotent


def test_golden_quantity_patch_is_message_5_of_the_official_example() -> None:
    golden = spec("listings-feed-schema-v2.example.json")["messages"][4]
    built = patch_message(5, "My-SKU-E", "LUGGAGE", [quantity_patch(10, "DEFAULT")])
    assert built == golden
    assert patch_body("LUGGAGE", [quantity_patch(10, "DEFAULT")]) == {
        "productType": "LUGGAGE",
        "patches": golden["patches"],
    }


def test_golden_update_message_is_message_3_of_the_official_example() -> None:
    golden = spec("listings-feed-schema-v2.example.json")["messages"][2]
    item = xb.Listing(sku="My-SKU-C", title="My Title", price=xb.Money("30.00", "USD"), quantity=10)
    us = xb.prepare(item, "US", channel="amazon", rates=xb.rates.bundled(), on=ON)
    keep = {"item_name", "fulfillment_availability"}
    names = set(build(us, settings(), US, "LUGGAGE").attributes) - keep
    payload = build(
        us,
        settings(fulfillment_channel_code="AMAZON_NA", omit_attributes=names),
        US,
        "LUGGAGE",
    )
    assert payload.message(3) == golden


def test_golden_price_patch_byte_for_byte() -> None:
    assert dumps(price_patch(DE, xb.Money("19.99", "EUR"))) == GOLDEN_PRICE_PATCH


def test_price_only_update_sends_the_golden_patch_with_product_type_product() -> None:
    key = OfferKey("amazon", "DE", "MUG-01")
    flow = adapter().update_price_quantity(
        [PriceQuantityUpdate(key, price=xb.Money("19.99", "EUR"))]
    )
    request = next(flow)
    flow.close()
    assert request.method == "PATCH"
    assert request.operation == "patch_listings_item"
    assert request.content == b'{"productType":"PRODUCT","patches":[' + GOLDEN_PRICE_PATCH + b"]}"


def test_quantity_only_update_keeps_the_product_type_of_the_remote() -> None:
    key = OfferKey("amazon", "DE", "MUG-01")
    remote = RemoteRef(sku="MUG-01", productType="DRINKING_CUP")
    flow = adapter().update_price_quantity([PriceQuantityUpdate(key, quantity=0, remote=remote)])
    request = next(flow)
    flow.close()
    assert body(request) == {
        "productType": "DRINKING_CUP",
        "patches": [quantity_patch(0, "DEFAULT")],
    }


# -- attributes ------------------------------------------------------------------------------------


def attributes_of(item: xb.Listing, market: str = "DE", **overrides: Any) -> dict[str, Any]:
    prepared = offer(item, market)
    return dict(
        build(prepared, settings(**overrides), MARKETPLACES[market], "DRINKING_CUP").attributes
    )


def test_every_text_value_names_its_store_and_language() -> None:
    found = attributes_of(compliant(attributes={"Material": "Stoneware"}))
    for name in ("item_name", "brand", "product_description", "bullet_point", "manufacturer"):
        for value in found[name]:
            assert value["marketplace_id"] == DE.marketplace_id
            assert value["language_tag"] == "de_DE", name
    for name, values in found.items():
        if name == "fulfillment_availability":
            continue
        assert all(value["marketplace_id"] == DE.marketplace_id for value in values), name


def test_language_tags_follow_the_store() -> None:
    assert attributes_of(listing(), "GB")["item_name"][0]["language_tag"] == "en_GB"
    assert (
        attributes_of(listing(price=xb.Money("3000", "JPY")), "JP")["item_name"][0]["language_tag"]
        == "ja_JP"
    )
    assert attributes_of(listing(), "CA")["item_name"][0]["language_tag"] == "en_CA"


def test_numbers_are_numbers_built_from_decimal_exactly() -> None:
    prepared = offer(compliant())
    payload = build(prepared, settings(), DE, "DRINKING_CUP")
    written = dumps(payload.put_body())
    schedule = payload.attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]
    assert schedule["value_with_tax"] == prepared.price.amount
    assert isinstance(schedule["value_with_tax"], Decimal)
    assert f'"value_with_tax":{prepared.price.amount}'.encode() in written
    read = loads(written)
    assert (
        read["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
        == prepared.price.amount
    )
    assert read["attributes"]["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 5}
    ]
    assert read["attributes"]["item_package_weight"][0]["value"] == Decimal("400")
    assert b'"quantity":5' in written
    assert b'"value":"400"' not in written


def test_yen_prices_have_no_decimals() -> None:
    prepared = offer(listing(price=xb.Money("24.00", "EUR")), "JP")
    written = dumps(price_patch(MARKETPLACES["JP"], prepared.price))
    assert prepared.price.currency == "JPY"
    assert f'"value_with_tax":{prepared.price.amount}}}'.encode() in written
    assert b"." not in written.split(b"value_with_tax")[1]


def test_identifiers_exemption_and_suggested_asin() -> None:
    ean = attributes_of(listing(gtin="4006381333931"))["externally_assigned_product_identifier"]
    assert ean == [{"type": "ean", "value": "4006381333931", "marketplace_id": DE.marketplace_id}]
    upc = attributes_of(listing(gtin="036000291452"))["externally_assigned_product_identifier"]
    assert upc[0]["type"] == "upc"
    exempt = attributes_of(listing(gtin=None, gtin_exempt=True))
    assert "externally_assigned_product_identifier" not in exempt
    assert exempt["supplier_declared_has_product_identifier_exemption"] == [
        {"value": True, "marketplace_id": DE.marketplace_id}
    ]
    asin = attributes_of(listing(), asins={"MUG-01": "B00TEST123"})
    assert asin["merchant_suggested_asin"] == [
        {"value": "B00TEST123", "marketplace_id": DE.marketplace_id}
    ]


def test_gpsr_attributes_in_eu_stores_and_amazon_uk_only() -> None:
    rp = {
        "name": "EU Rep GmbH",
        "postal_address": "Hauptstr. 1, 10115 Berlin, Germany",
        "url": "https://rep.example.com/contact",
    }
    item = compliant(eu_responsible_person=rp)
    de = attributes_of(item)
    assert de["gpsr_manufacturer_reference"] == [
        {
            "gpsr_manufacturer_email_address": "info@ridgeline.example.com",
            "marketplace_id": DE.marketplace_id,
        }
    ]
    assert de["dsa_responsible_party_address"] == [
        {"value": "https://rep.example.com/contact", "marketplace_id": DE.marketplace_id}
    ]
    assert de["safety_warning"][0]["value"] == "Heiße Getränke können verbrühen."
    assert "gpsr_safety_attestation" not in de
    assert "gpsr_manufacturer_reference" in attributes_of(item, "GB")
    us = attributes_of(item.model_copy(update={"price": xb.Money("24.00", "USD")}), "US")
    assert not {name for name in us if name.startswith(("gpsr_", "dsa_", "safety_"))}


def test_safety_attestation_only_when_the_seller_gives_it() -> None:
    plain = listing(safety_information={})
    assert "gpsr_safety_attestation" not in attributes_of(plain)
    attested = attributes_of(plain, gpsr_safety_attestation=True)
    assert attested["gpsr_safety_attestation"] == [
        {"value": True, "marketplace_id": DE.marketplace_id}
    ]


def test_images_measures_and_conditions() -> None:
    images = tuple(f"https://images.example.com/{n}.jpg" for n in range(11))
    found = attributes_of(compliant(images=images, condition="refurbished"))
    assert found["main_product_image_locator"][0]["media_location"] == images[0]
    assert found["other_product_image_locator_8"][0]["media_location"] == images[8]
    assert "other_product_image_locator_9" not in found
    assert found["condition_type"][0]["value"] == "refurbished_refurbished"
    assert found["item_package_dimensions"][0]["length"] == {
        "value": Decimal("12"),
        "unit": "centimeters",
    }
    assert found["item_package_weight"][0]["unit"] == "grams"


def test_dangerous_goods_are_left_to_seller_central_with_a_warning() -> None:
    item = listing(dangerous_goods={"battery": "contained"})
    prepared = offer(item)
    payload = build(prepared, settings(), DE, "DRINKING_CUP")
    assert payload.attributes["batteries_required"][0]["value"] is True
    assert "supplier_declared_dg_hz_regulation" not in payload.attributes
    assert [note.code for note in payload.notes] == ["amazon.dangerous_goods"]


def test_a_language_the_store_does_not_list_falls_back_with_a_warning() -> None:
    prepared = offer(listing(price=xb.Money("24.00", "EUR")), "BE")
    payload = build(prepared, settings(), MARKETPLACES["BE"], "DRINKING_CUP")
    assert payload.language_tag == "nl_BE"  # BE's first language is nl, which the store lists
    german = dataclasses.replace(
        prepared, content=prepared.content._replace(locale="de_BE", language="de")
    )
    payload = build(german, settings(), MARKETPLACES["BE"], "DRINKING_CUP")
    assert payload.language_tag == "fr_BE"
    assert payload.notes[0].code == "amazon.language_tag"


@pytest.mark.parametrize(("market", "tag"), [("BE", "nl_BE"), ("IE", "en_IE"), ("ZA", "en_ZA")])
def test_a_tag_amazons_model_does_not_list_is_sent_with_a_warning(market: str, tag: str) -> None:
    currency = MARKETPLACES[market].currency
    prepared = offer(listing(price=xb.Money("24.00", currency)), market)
    payload = build(prepared, settings(), MARKETPLACES[market], "DRINKING_CUP")
    assert payload.language_tag == tag
    unverified = [n for n in payload.notes if n.code == "amazon.language_tag_unverified"]
    assert len(unverified) == 1 and tag in unverified[0].message
    assert unverified[0].severity == "warning"


def test_tags_of_amazons_model_carry_no_such_warning() -> None:
    for market in ("DE", "GB", "JP"):
        currency = MARKETPLACES[market].currency
        prepared = offer(listing(price=xb.Money("24.00", currency)), market)
        notes = build(prepared, settings(), MARKETPLACES[market], "DRINKING_CUP").notes
        assert "amazon.language_tag_unverified" not in [n.code for n in notes]
    every = {tag for mp in MARKETPLACES.values() for tag in mp.language_tags}
    assert every >= UNVERIFIED_TAGS


def test_omitted_attributes_are_not_sent() -> None:
    found = attributes_of(compliant(), omit_attributes=frozenset({"bullet_point", "part_number"}))
    assert "part_number" not in found


# -- validation against the vendored models --------------------------------------------------------


def test_bodies_and_messages_validate_against_the_vendored_models() -> None:
    prepared = offer(compliant(attributes={"Material": "Stoneware", "Colour": "Blue"}))
    payload = build(prepared, settings(), DE, "DRINKING_CUP")
    put = loads(dumps(payload.put_body()))
    assert models().listings_body("ListingsItemPutRequest", put) == []
    assert models().attributes.problems(put["attributes"]) == []
    message = loads(dumps(payload.message(1)))
    assert models().feed_message(message, 0) == []
    assert JsonSchema(spec("listings-feed-message-schema-v2.json")).problems(message) == []
    patch = loads(
        dumps(
            patch_body(
                "PRODUCT",
                [price_patch(DE, prepared.price), quantity_patch(3, "DEFAULT")],
            )
        )
    )
    assert models().listings_body("ListingsItemPatchRequest", patch) == []
    for entry in patch["patches"]:
        name = entry["path"].rsplit("/", 1)[1]
        schema = models().attributes.root["properties"][name]
        assert models().attributes.problems(entry["value"], schema) == []


def test_the_attribute_schema_refuses_strings_for_numbers() -> None:
    offer_ = [
        {
            "marketplace_id": DE.marketplace_id,
            "currency": "EUR",
            "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": "19.99"}]}],
        }
    ]
    schema = models().attributes.root["properties"]["purchasable_offer"]
    problems = models().attributes.problems(offer_, schema)
    assert [p.keyword for p in problems] == ["type"]
    assert problems[0].where == "[0].our_price[0].schedule[0].value_with_tax"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), object()])
def test_dumps_refuses_what_is_not_json(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        dumps({"x": value})


def test_dumps_keeps_text_and_unicode() -> None:
    text = 'Tasse "Blau" — 日本 \\u0000D:1\\u0000'
    assert json.loads(dumps({"value": text})) == {"value": text}
    assert dumps([Decimal("0.50"), Decimal("-0.00"), 7]) == b"[0.50,0,7]"


def test_preview_adds_the_sandbox_parameters() -> None:
    flow = adapter().preview([offer()])
    request = next(flow)
    flow.close()
    assert "mode=VALIDATION_PREVIEW" in request.url
    assert "includedData=identifiers,issues" in request.url


def test_upsert_sends_exactly_one_store_per_call() -> None:
    offers = [offer(listing(f"MUG-{n}")) for n in range(2)] + [offer(listing("MUG-9"), "FR")]

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "put_listings_item":
            sku = request.url.split("?")[0].rsplit("/", 1)[1]
            content = json.dumps({"sku": sku, "status": "ACCEPTED", "submissionId": "s"})
            return HttpResponse(200, {}, content.encode())
        return HttpResponse(200, {}, b'{"numberOfResults":0,"items":[]}')

    _, sent = drive(adapter(read_back=False).upsert(offers), respond)
    stores = [request.url.split("marketplaceIds=")[1].split("&")[0] for request in sent]
    assert stores == [DE.marketplace_id, DE.marketplace_id, MARKETPLACES["FR"].marketplace_id]
