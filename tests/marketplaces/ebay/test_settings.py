from __future__ import annotations

import json

import pytest
from pydantic import SecretStr, ValidationError

from marketplaces.ebay._support import CLIENT_SECRET, REFRESH_TOKEN, settings, site
from xborder.errors import ConfigurationError
from xborder.marketplaces.ebay import SITES, EbaySettings, EbaySiteSettings


def test_from_env_reads_credentials_and_per_site_json() -> None:
    env = {
        "XBORDER_EBAY_CLIENT_ID": "app-1",
        "XBORDER_EBAY_CLIENT_SECRET": CLIENT_SECRET,
        "XBORDER_EBAY_REFRESH_TOKEN": REFRESH_TOKEN,
        "XBORDER_EBAY_SANDBOX": "true",
        "XBORDER_EBAY_SITES": json.dumps({"DE": site(), "EBAY_GB": site()}),
        "XBORDER_EBAY_SKU_STRATEGY": "shared",
    }
    loaded = EbaySettings.from_env(env)
    assert loaded.sandbox is True and loaded.sku_strategy == "shared"
    assert sorted(loaded.sites) == ["EBAY_DE", "EBAY_GB"]  # country codes become site ids
    assert loaded.client_secret.get_secret_value() == CLIENT_SECRET
    text = repr(loaded) + str(loaded)
    assert CLIENT_SECRET not in text and REFRESH_TOKEN not in text


def test_from_env_names_missing_credentials() -> None:
    with pytest.raises(ConfigurationError) as info:
        EbaySettings.from_env({})
    assert "XBORDER_EBAY_CLIENT_ID is not set" in str(info.value)
    assert "XBORDER_EBAY_CLIENT_SECRET is not set" in str(info.value)


def test_unknown_sites_and_category_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown eBay site 'EBAY_XX'"):
        settings(sites={"EBAY_XX": site()})
    with pytest.raises(ValidationError, match="unknown xborder category keys"):
        EbaySiteSettings(categories={"mugs": "20625"})
    with pytest.raises(ValidationError, match="category id is a number"):
        EbaySiteSettings(categories={"home.drinkware": "Mugs"})
    with pytest.raises(ValidationError, match="1-36 printable"):
        EbaySiteSettings(merchant_location_key="x" * 37)


def test_hosts_follow_the_sandbox_flag() -> None:
    production = settings()
    assert production.inventory_url == "https://api.ebay.com/sell/inventory/v1"
    assert production.token_url == "https://api.ebay.com/identity/v1/oauth2/token"
    assert production.authorize_url == "https://auth.ebay.com/oauth2/authorize"
    sandbox = settings(sandbox=True)
    assert sandbox.inventory_url == "https://api.sandbox.ebay.com/sell/inventory/v1"
    assert sandbox.token_url == "https://api.sandbox.ebay.com/identity/v1/oauth2/token"
    assert sandbox.authorize_url == "https://auth.sandbox.ebay.com/oauth2/authorize"


def test_one_sku_per_site_by_default() -> None:
    de, gb = SITES["EBAY_DE"], SITES["EBAY_GB"]
    assert settings().wire_sku("MUG-01", de) == "MUG-01-DE"
    assert settings().wire_sku("MUG-01", gb) == "MUG-01-GB"
    assert settings(sku_format="{site}.{sku}").wire_sku("MUG-01", de) == "EBAY_DE.MUG-01"
    assert settings(sku_strategy="shared").wire_sku("MUG-01", de) == "MUG-01"


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("{market}", "must contain {sku}"),
        ("{sku}-{country}", "unknown placeholders"),
        ("{sku", "not a format"),
    ],
)
def test_bad_sku_formats_are_refused(fmt: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(sku_format=fmt)


def test_category_ids_come_from_overrides_then_mapping_then_default() -> None:
    config = EbaySiteSettings(
        categories={"home.drinkware": "20625"},
        default_category_id="99",
        category_overrides={"MUG-02": "46782"},
    )
    assert config.category_id("MUG-02", "home.drinkware") == "46782"
    assert config.category_id("MUG-01", "home.drinkware") == "20625"
    assert config.category_id("MUG-01", "toys") == "99"
    assert EbaySiteSettings().category_id("MUG-01", None) is None


def test_safety_labels_by_category_with_a_default() -> None:
    config = EbaySiteSettings(
        product_safety={"toys": {"statements": ["s1"]}, "*": {"pictograms": ["p1"]}}
    )
    toys = config.safety_labels("toys")
    assert toys is not None and toys.statements == ("s1",)
    other = config.safety_labels("home.drinkware")
    assert other is not None and other.pictograms == ("p1",)
    with pytest.raises(ValidationError):
        EbaySiteSettings(product_safety={"*": {"pictograms": ["a", "b", "c"]}})


def test_price_calls_carry_one_to_25_skus() -> None:
    assert settings().price_quantity_skus_per_call == 25
    with pytest.raises(ValidationError):
        settings(price_quantity_skus_per_call=26)
    assert settings(client_secret=SecretStr("x")).site_settings("EBAY_FR") is None
