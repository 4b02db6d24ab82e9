from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from xborder import Listing, Money, rates
from xborder.errors import ConfigurationError
from xborder.listing import Party, Seller, Translation, Weight
from xborder.localize.channels import EBAY
from xborder.localize.translate import MemoryTranslationCache
from xborder.marketplaces import OfferKey
from xborder.markets import Market
from xborder.offer import Offer, content_fingerprint, prepare
from xborder.pricing import PricingPolicy

ON = date(2026, 10, 1)
RATES = rates.bundled()
SELLER = Seller(country="US", regimes=("US",), epr_numbers={"DE.packaging": "DE5908273423545"})


def make_listing(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "MUG-01",
        "title": "Stoneware coffee mug, 350 ml",
        "description": "Glazed stoneware. Dishwasher safe.",
        "price": Money("24.00", "USD"),
        "quantity": 5,
        "brand": "Blue Ridge Kiln",
        "mpn": "BRK-MUG01",
        "gtin": "4006381333931",
        "category": "home.drinkware",
        "images": ("https://img.example.com/mug-1.jpg",),
        "weight": Weight(value="0.4", unit="kg"),
        "hs_code": "691200",
        "origin_country": "US",
        "customs_description": "Stoneware coffee mug, glazed, 350 ml",
        "manufacturer": Party(
            name="Blue Ridge Kiln LLC",
            postal_address="1 Kiln Rd, Asheville NC",
            email="care@blueridgekiln.example",
        ),
        "eu_responsible_person": Party(
            name="EU Rep GmbH",
            postal_address="Hauptstr. 1, 10115 Berlin, Germany",
            email="gpsr@eurep.example",
        ),
        "safety_information": {
            "en": "Not for use in a microwave.",
            "de": "Nicht für die Mikrowelle geeignet.",
        },
        "translations": {"de": Translation(title="Kaffeebecher aus Steinzeug, 350 ml")},
    }
    values.update(changes)
    return Listing(**values)


def test_prepare_builds_one_offer_for_one_market_and_channel() -> None:
    listing = make_listing()
    offer = prepare(listing, "DE", channel="ebay", rates=RATES, seller=SELLER, on=ON)
    assert isinstance(offer, Offer)
    assert offer.key == OfferKey("ebay", "DE", "MUG-01")
    assert offer.listing is listing and offer.on == ON and offer.channel.name == "ebay"
    assert offer.market == Market.for_country("DE", on=ON)
    assert offer.quote.price == offer.price and offer.price.currency == "EUR" == offer.currency
    assert offer.quantity == 5
    assert offer.content.title.text == "Kaffeebecher aus Steinzeug, 350 ml"
    assert offer.report.market == "DE" and offer.report.channel == "ebay"
    assert offer.ok and offer.report.ok
    assert len(offer.content_fingerprint) == 64


def test_display_price_is_the_quantized_price_formatted() -> None:
    policy = PricingPolicy(endings={"EUR": ".99"})
    offer = prepare(make_listing(), "DE", channel="ebay", rates=RATES, policy=policy, on=ON)
    assert offer.price.amount == offer.price.amount.quantize(Decimal("0.01"))
    assert offer.price.amount % 1 == Decimal("0.99")
    assert offer.display_price == f"{str(offer.price.amount).replace('.', ',')}\xa0€"


def test_yen_prices_have_no_decimals() -> None:
    offer = prepare(make_listing(), "JP", channel="amazon", rates=RATES, on=ON)
    assert offer.price.currency == "JPY" and offer.price.amount == offer.price.amount.to_integral()
    assert offer.display_price.startswith("￥")


def test_the_channel_may_be_an_alias_or_rules() -> None:
    assert prepare(make_listing(), "GB", channel="meta", rates=RATES, on=ON).key.marketplace == (
        "facebook"
    )
    assert prepare(make_listing(), "GB", channel=EBAY, rates=RATES, on=ON).key.marketplace == "ebay"
    with pytest.raises(ConfigurationError, match="unknown channel 'etsy'"):
        prepare(make_listing(), "GB", channel="etsy", rates=RATES, on=ON)


def test_compliance_problems_are_in_the_report_not_raised() -> None:
    offer = prepare(
        make_listing(hs_code=None, eu_responsible_person=None),
        "DE",
        channel="ebay",
        rates=RATES,
        on=ON,
    )
    assert not offer.ok
    assert {f.code for f in offer.report.errors} >= {"customs.hs_code_missing"}


def test_not_a_listing() -> None:
    with pytest.raises(TypeError, match="listing: expected Listing, got dict"):
        prepare({"sku": "X"}, "DE", channel="ebay", rates=RATES, on=ON)  # type: ignore[arg-type]


# -- the fingerprint -------------------------------------------------------------------------


def fingerprint(listing: Listing, market: str = "DE", channel: str = "ebay") -> str:
    return prepare(listing, market, channel=channel, rates=RATES, on=ON).content_fingerprint


def test_price_and_quantity_do_not_change_the_fingerprint() -> None:
    base = fingerprint(make_listing())
    assert fingerprint(make_listing(price=Money("99.00", "USD"), quantity=0)) == base
    assert fingerprint(make_listing(cost=Money("3.00", "USD"))) == base


def test_equal_values_written_differently_fingerprint_equally() -> None:
    assert fingerprint(make_listing(weight=Weight(value="0.40", unit="kg"))) == fingerprint(
        make_listing(weight=Weight(value="0.4", unit="kg"))
    )


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Glazed stoneware."},
        {"translations": {"de": Translation(title="Steinzeugbecher, 350 ml")}},
        {"gtin": "4006381333924"},
        {"brand": "Other Kiln"},
        {"images": ("https://img.example.com/mug-2.jpg",)},
        {"hs_code": "691110"},
        {"origin_country": "MX"},
        {"weight": Weight(value="0.5", unit="kg")},
        {"safety_information": {"en": "Hand wash only."}},
        {"condition": "used_good"},
        {"attributes": {"color": ("blue",)}},
    ],
)
def test_what_is_sent_changes_the_fingerprint(change: dict[str, Any]) -> None:
    assert fingerprint(make_listing(**change)) != fingerprint(make_listing())


def test_the_source_title_counts_where_it_is_sent() -> None:
    changed = make_listing(title="Stoneware tea mug, 350 ml")
    assert fingerprint(changed, market="US") != fingerprint(make_listing(), market="US")
    # In DE the seller's German title is sent, so the English one does not matter there.
    assert fingerprint(changed) == fingerprint(make_listing())


def test_market_and_channel_change_the_fingerprint() -> None:
    base = fingerprint(make_listing())
    assert fingerprint(make_listing(), market="AT") != base
    assert fingerprint(make_listing(), channel="amazon") != base


def test_machine_translations_count_once_cached() -> None:
    listing = make_listing(translations={})
    before = prepare(listing, "DE", channel="ebay", rates=RATES, on=ON)
    cache = MemoryTranslationCache()
    after = prepare(listing, "DE", channel="ebay", rates=RATES, on=ON, cache=cache)
    assert after.content_fingerprint == before.content_fingerprint  # empty cache: same text
    assert (
        content_fingerprint(before.key, listing, before.content, currency="EUR")
        == before.content_fingerprint
    )


# Computed once and committed: a change here means stored fingerprints of every user's state
# no longer match (each item would be resent once). Bump FINGERPRINT_VERSION if it is meant.
GOLDEN = "73ede7d2455bdbd0d11c9e02bde1aec2e5b71fbfd83434219b21906804dbb684"


def test_the_fingerprint_is_stable_across_releases() -> None:
    assert fingerprint(make_listing()) == GOLDEN


def test_the_fingerprint_is_the_same_in_another_process() -> None:
    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
        "from test_offer import fingerprint, make_listing; print(fingerprint(make_listing()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == fingerprint(make_listing())
