"""Offer → Graph API bodies: the golden bodies of research §3.7, prices, fields, overrides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import xborder as xb
from marketplaces.facebook._support import (
    ON,
    adapter,
    body,
    drive,
    finished,
    handle_answer,
    listing,
    offer,
    rates,
)
from xborder.marketplaces.facebook import (
    CONDITIONS,
    base_item,
    country_override,
    language_value,
    price_quantity_data,
    price_text,
    text_override,
)
from xborder.money import Money

# research/marketplace-apis.md §3.7: the body Meta's WooCommerce plugin sent (logged in
# facebook/facebook-for-woocommerce#2317), with the hosts the research elided ("https://…/")
# filled in with a shop of our own.
SHOP = "https://shop.example.com"
GOLDEN_ITEMS_BATCH: dict[str, Any] = {
    "allow_upsert": True,
    "item_type": "PRODUCT_ITEM",
    "requests": [
        {
            "method": "UPDATE",
            "data": {
                "id": "wc_post_id_61",
                "title": "Kaala Gora Aam Papad",
                "description": "Kaala Gora Aam Papad",
                "image_link": f"{SHOP}/wp-content/uploads/download-2.jpeg",
                "additional_image_link": [],
                "link": f"{SHOP}/product/kaala-gora-aam-papad/",
                "brand": "My WordPress Site",
                "price": "100 USD",
                "availability": "in stock",
                "visibility": "published",
                "item_group_id": "wc_post_id_61",
                "condition": "new",
            },
        }
    ],
}
GOLDEN_LOCALIZED: dict[str, Any] = {
    "item_type": "PRODUCT_ITEM",
    "requests": [
        {
            "method": "UPDATE",
            "localization": {"type": "LANGUAGE", "value": "de_XX"},
            "data": {"id": "wc_post_id_61", "title": "Kaala Gora Aam Papad (Mangofruchtleder)"},
        },
        {
            "method": "UPDATE",
            "localization": {"type": "COUNTRY", "value": "DE"},
            "data": {"id": "wc_post_id_61", "price": "9.99 EUR"},
        },
    ],
}


def papad() -> xb.Listing:
    return xb.Listing(
        sku="wc_post_id_61",
        title="Kaala Gora Aam Papad",
        description="Kaala Gora Aam Papad",
        price=xb.Money("100", "USD"),
        quantity=8,
        brand="My WordPress Site",
        images=(f"{SHOP}/wp-content/uploads/download-2.jpeg",),
        url=f"{SHOP}/product/kaala-gora-aam-papad/",
        variant_group="wc_post_id_61",
        translations={"de": {"title": "Kaala Gora Aam Papad (Mangofruchtleder)"}},
    )


def golden_run() -> list[Any]:
    us = xb.prepare(papad(), "US", channel="facebook", rates=rates(), on=ON)
    de = xb.prepare(
        papad(),
        "DE",
        channel="facebook",
        rates=rates(),
        on=ON,
        policy=xb.PricingPolicy(overrides={"DE": Money("9.99", "EUR")}),
    )
    meta = adapter(base_market="US", api_version="v13.0", quantity_field="none")
    answers = [handle_answer("AcxGOuD0"), finished("AcxGOuD0"), handle_answer("H2"), finished("H2")]
    _, sent = drive(meta.upsert([us, de]), answers)
    return sent


def test_items_batch_body_is_the_plugins_field_for_field() -> None:
    request = golden_run()[0]
    assert request.method == "POST"
    assert request.url == "https://graph.facebook.com/v13.0/1234567890123456/items_batch"
    sent = body(request)
    expected = GOLDEN_ITEMS_BATCH
    assert list(sent) == list(expected)
    data, golden = sent["requests"][0]["data"], expected["requests"][0]["data"]
    assert sent["requests"][0]["method"] == "UPDATE"
    assert set(data) == set(golden)
    assert {k: v for k, v in data.items() if k != "price"} == {
        k: v for k, v in golden.items() if k != "price"
    }
    # The one deliberate difference: xborder writes the currency's digits ("100.00 USD");
    # the plugin wrote PHP's float text ("100 USD"). Same amount, same currency.
    assert data["price"] == "100.00 USD"
    amount, currency = data["price"].split(" ")
    golden_amount, golden_currency = golden["price"].split(" ")
    assert (Decimal(amount), currency) == (Decimal(golden_amount), golden_currency)


def test_localized_body_follows_the_guide_field_for_field() -> None:
    request = golden_run()[2]
    assert request.url.endswith("/v13.0/1234567890123456/localized_items_batch")
    sent = body(request)
    assert list(sent) == list(GOLDEN_LOCALIZED)  # item_type and requests; no allow_upsert
    language, country = sent["requests"]
    golden_language, golden_country = GOLDEN_LOCALIZED["requests"]
    assert language == golden_language  # the title only: the description is the base item's
    assert {k: v for k, v in country.items() if k != "data"} == {
        k: v for k, v in golden_country.items() if k != "data"
    }
    # The COUNTRY override also carries availability, so that taking the base market off
    # sale (or back on) never changes this country (docs/facebook.md).
    assert country["data"] == {**golden_country["data"], "availability": "in stock"}


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money("24.9", "EUR"), "24.90 EUR"),
        (Money("24.99", "EUR"), "24.99 EUR"),
        (Money("2528", "JPY"), "2528 JPY"),
        (Money("1.5", "KWD"), "1.500 KWD"),
        (Money("100", "USD"), "100.00 USD"),
        (Money("0.005", "EUR"), "0.01 EUR"),
    ],
)
def test_prices_have_the_currencys_digits(money: Money, text: str) -> None:
    assert price_text(money) == text


def test_conditions_map_to_metas_enum() -> None:
    assert dict(CONDITIONS) == {
        "new": "new",
        "used_like_new": "used_like_new",
        "used_good": "used_good",
        "used_acceptable": "used_fair",
        "refurbished": "refurbished",
    }
    data, _ = base_item(offer(listing(condition="used_acceptable")))
    assert data["condition"] == "used_fair"


def test_base_item_uses_feed_names_only() -> None:
    data, issues = base_item(offer())
    assert issues == ()
    assert data["id"] == "MUG-01" and "retailer_id" not in data
    assert data["link"] == "https://shop.example.com/products/mug-01"
    assert data["image_link"] == "https://images.example.com/mug-1.jpg"
    assert data["additional_image_link"] == ["https://images.example.com/mug-2.jpg"]
    assert data["price"] == "24.59 GBP"
    assert data["availability"] == "in stock"
    assert data["quantity_to_sell_on_facebook"] == 5
    assert data["gtin"] == "4006381333931"
    assert not {"name", "url", "image_url", "currency", "inventory"} & set(data)


def test_quantity_field_is_configurable() -> None:
    data, _ = base_item(offer(), quantity_field="inventory")
    assert data["inventory"] == 5 and "quantity_to_sell_on_facebook" not in data
    data, _ = base_item(offer(), quantity_field="none")
    assert "inventory" not in data and "quantity_to_sell_on_facebook" not in data


def test_out_of_stock_and_mpn() -> None:
    data, _ = base_item(offer(listing(quantity=0, mpn="RK-01")))
    assert data["availability"] == "out of stock" and data["mpn"] == "RK-01"


def test_missing_required_fields_are_issues() -> None:
    item = listing(url=None, images=(), brand=None)
    _, issues = base_item(offer(item))
    assert {(i.code, i.field) for i in issues} == {
        ("facebook.missing_link", "url"),
        ("facebook.missing_image", "images"),
        ("facebook.missing_brand", "brand"),
    }
    assert all(i.severity == "error" for i in issues)


def test_more_than_21_images_drops_the_rest_with_a_warning() -> None:
    images = tuple(f"https://images.example.com/{n}.jpg" for n in range(24))
    data, issues = base_item(offer(listing(images=images)))
    assert len(data["additional_image_link"]) == 20
    assert [(i.code, i.severity) for i in issues] == [("facebook.images_dropped", "warning")]


def test_a_missing_description_shows_the_title() -> None:
    data, _ = base_item(offer(listing(description="")))
    assert data["description"] == data["title"]


def test_country_override_holds_price_and_availability_only() -> None:
    assert country_override(offer(market="DE")) == {
        "id": "MUG-01",
        "price": "28.56 EUR",
        "availability": "in stock",
    }


def test_text_override_sends_what_differs_from_the_base() -> None:
    de = offer(market="DE")
    assert text_override(de) == {
        "id": "MUG-01",
        "title": "Handgemachte Steinzeugtasse, 350 ml",
        "description": "Auf der Scheibe gedrehte Steinzeugtasse.",
    }
    base, _ = base_item(offer())
    assert text_override(offer(market="GB"), base) is None
    half = {**base, "title": de.content.title.text}
    assert text_override(de, half) == {
        "id": "MUG-01",
        "description": "Auf der Scheibe gedrehte Steinzeugtasse.",
    }


def test_language_values() -> None:
    assert language_value("fr") == "fr_XX"
    assert language_value("pt-BR") == "pt_XX"
    assert language_value("zh_Hant") == "zh_XX"


def test_price_quantity_data() -> None:
    price = Money("19.5", "EUR")
    assert price_quantity_data("A", price=price, quantity=None, base=False) == {
        "id": "A",
        "price": "19.50 EUR",
    }
    assert price_quantity_data("A", price=None, quantity=0, base=False) == {
        "id": "A",
        "availability": "out of stock",
    }
    assert price_quantity_data("A", price=price, quantity=3, base=True) == {
        "id": "A",
        "price": "19.50 EUR",
        "availability": "in stock",
        "quantity_to_sell_on_facebook": 3,
    }
