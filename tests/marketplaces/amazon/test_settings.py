"""Settings, credentials, the client-secret rotation warning, stores, capabilities, registry."""

from __future__ import annotations

import warnings
from datetime import date

import pytest
from pydantic import SecretStr, ValidationError

import xborder as xb
from marketplaces.amazon._support import (
    CLIENT_ID,
    CLIENT_SECRET,
    ON,
    REFRESH_TOKEN,
    SELLER_ID,
    adapter,
    settings,
)
from xborder.errors import ConfigurationError
from xborder.http import HttpRequest
from xborder.marketplaces import OAuth2ClientCredentials, OAuth2RefreshToken, get
from xborder.marketplaces.amazon import (
    CAPABILITIES,
    HOSTS,
    MARKETPLACES,
    MARKETPLACES_BY_ID,
    SANDBOX_HOSTS,
    AmazonAdapter,
    AmazonSettings,
    ClientSecretRotationWarning,
    marketplace_for,
)
from xborder.markets import Market

ENV = {
    "XBORDER_AMAZON_CLIENT_ID": CLIENT_ID,
    "XBORDER_AMAZON_CLIENT_SECRET": CLIENT_SECRET,
    "XBORDER_AMAZON_REFRESH_TOKEN": REFRESH_TOKEN,
    "XBORDER_AMAZON_SELLER_ID": SELLER_ID,
    "XBORDER_AMAZON_PRODUCT_TYPES": '{"home.drinkware": "DRINKING_CUP"}',
    "XBORDER_AMAZON_REGION": "EU",
    "XBORDER_AMAZON_FEED_THRESHOLD": "250",
}

REQUIRED = (
    "US",
    "CA",
    "MX",
    "BR",
    "GB",
    "DE",
    "FR",
    "IT",
    "ES",
    "NL",
    "BE",
    "SE",
    "PL",
    "TR",
    "AE",
    "SA",
    "IN",
    "JP",
    "AU",
    "SG",
)


def test_settings_from_the_environment() -> None:
    found = AmazonSettings.from_env(ENV)
    assert found.client_id == CLIENT_ID
    assert found.client_secret.get_secret_value() == CLIENT_SECRET
    assert found.region == "EU"
    assert found.feed_threshold == 250
    assert found.product_type("MUG", "home.drinkware") == "DRINKING_CUP"
    for text in (repr(found), str(found), found.model_dump_json()):
        assert CLIENT_SECRET not in text and REFRESH_TOKEN not in text


def test_missing_and_invalid_settings_are_named_without_secrets() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AmazonSettings.from_env({"XBORDER_AMAZON_CLIENT_SECRET": CLIENT_SECRET})
    message = str(caught.value)
    assert "XBORDER_AMAZON_CLIENT_ID is not set" in message
    assert "XBORDER_AMAZON_SELLER_ID is not set" in message
    assert CLIENT_SECRET not in message
    with pytest.raises(ConfigurationError, match="XBORDER_AMAZON_FEED_MAX_MESSAGES"):
        AmazonSettings.from_env({**ENV, "XBORDER_AMAZON_FEED_MAX_MESSAGES": "25001"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seller_id", "not a seller"),
        ("product_types", {"home.mugs": "DRINKING_CUP"}),
        ("product_types", {"home.drinkware": "drinking cup"}),
        ("asins", {"MUG": "B0"}),
        ("omit_attributes", frozenset({"Bad Name"})),
        ("issue_locale", "english"),
        ("region", "EUROPE"),
        ("fulfillment_channel_code", "default"),
    ],
)
def test_invalid_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        settings(**{field: value})


def test_the_rotation_warning_comes_in_time() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AmazonAdapter(settings(client_secret_rotated_on=date(2026, 6, 1)), today=ON)
    with pytest.warns(ClientSecretRotationWarning, match="expires on 2026-10-17, in 16 days"):
        AmazonAdapter(settings(client_secret_rotated_on=date(2026, 4, 20)), today=ON)
    with pytest.warns(ClientSecretRotationWarning, match="expired on") as caught:
        AmazonAdapter(settings(client_secret_rotated_on=date(2026, 1, 1)), today=ON)
    assert CLIENT_SECRET not in str(caught[0].message)
    assert settings(client_secret_rotated_on=date(2026, 4, 20)).client_secret_expires_on == date(
        2026, 10, 17
    )


def test_token_providers_speak_lwa() -> None:
    providers = adapter().token_providers()
    assert set(providers) == {"default", "grantless"}
    refresh = providers["default"]
    assert isinstance(refresh, OAuth2RefreshToken)
    assert refresh.token_url == "https://api.amazon.com/auth/o2/token"
    assert isinstance(providers["grantless"], OAuth2ClientCredentials)
    assert providers["grantless"].scope == "sellingpartnerapi::notifications"
    signed = refresh.authorize(
        HttpRequest("GET", "https://sellingpartnerapi-eu.amazon.com/x"),
        xb.marketplaces.AccessToken(SecretStr("Atza|token")),
    )
    assert signed.headers == {"x-amz-access-token": "Atza|token"}
    assert "Atza|token" not in repr(signed)
    assert set(adapter(refresh_token=None).token_providers()) == {"grantless"}
    for provider in providers.values():
        assert CLIENT_SECRET not in repr(provider) and CLIENT_SECRET not in provider.cache_key


def test_capabilities() -> None:
    caps = adapter(feed_poll_interval=60).capabilities
    assert caps.name == "amazon"
    assert caps.channel == "amazon"
    assert caps.asynchronous and caps.partial_update
    assert caps.batch_limit("upsert") == 25_000
    assert caps.batch_limit("status") == 20
    put = caps.rate_limit("put_listings_item")
    assert put is not None and (put.rate, put.burst) == (5, 10)
    poll = caps.rate_limit("get_feed")
    assert poll is not None and poll.rate == pytest.approx(1 / 60)
    feed = caps.rate_limit("create_feed")
    assert feed is not None and feed.burst == 5
    assert caps.rate_limit("upload_feed_document") is None
    site = caps.site("GB")
    assert site is not None and (site.currency, site.language, site.site_id) == (
        "GBP",
        "en-GB",
        "A1F83G8C2ARO7P",
    )
    assert CAPABILITIES.rate_limit("get_feed") is not None


def test_the_registry_builds_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    found = get("amazon")
    assert isinstance(found, AmazonAdapter)
    assert found.settings.region == "EU"
    assert SELLER_ID in repr(found) and CLIENT_SECRET not in repr(found)


# -- stores ----------------------------------------------------------------------------------------


def test_every_required_store_is_known() -> None:
    assert set(REQUIRED) <= set(MARKETPLACES)
    assert len(MARKETPLACES_BY_ID) == len(MARKETPLACES)


@pytest.mark.parametrize("market", REQUIRED)
def test_stores_agree_with_the_markets(market: str) -> None:
    mp = MARKETPLACES[market]
    assert mp.currency == Market.for_country(market, on=ON).currency
    assert mp.endpoint() == HOSTS[mp.region]
    assert mp.endpoint(sandbox=True) == SANDBOX_HOSTS[mp.region]
    assert all(tag.endswith(f"_{market}") for tag in mp.language_tags)


def test_regions_and_codes() -> None:
    assert {m.market for m in MARKETPLACES.values() if m.region == "FE"} == {"JP", "AU", "SG"}
    assert MARKETPLACES["IN"].region == "EU"
    assert marketplace_for("UK") is MARKETPLACES["GB"]
    assert marketplace_for("gb") is MARKETPLACES["GB"]
    assert marketplace_for("A1VC38T7YXB528") is MARKETPLACES["JP"]
    assert marketplace_for("XX") is None
    assert MARKETPLACES["BE"].tag_for("nl_BE", "nl") == "nl_BE"
    assert MARKETPLACES["CA"].tag_for("fr_CA", "fr") == "fr_CA"
    assert MARKETPLACES["AE"].tag_for("ar_AE", "ar") == "ar_AE"
    assert MARKETPLACES["DE"].tag_for("en_US", "en") is None
