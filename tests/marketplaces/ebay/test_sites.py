from __future__ import annotations

import pytest

from marketplaces.ebay._support import ON
from xborder.marketplaces.ebay import CAPABILITIES, SITES, SITES_BY_MARKET, site_for_market
from xborder.markets import Market

REQUIRED = ["US", "GB", "DE", "AT", "CH", "FR", "IT", "ES", "NL", "BE", "IE", "PL", "CA", "AU"]


def test_the_issue_sites_are_all_there() -> None:
    assert sorted(SITES_BY_MARKET) == sorted(REQUIRED)
    assert all(SITES[f"EBAY_{market}"].market == market for market in REQUIRED)


@pytest.mark.parametrize("market", REQUIRED)
def test_each_site_sells_in_its_country_s_currency_and_language(market: str) -> None:
    site = SITES_BY_MARKET[market]
    facts = Market.for_country(market, on=ON)
    assert site.currency == facts.currency
    # The market's locale (what prepare() writes content in) is a language the site takes.
    assert site.content_language(facts.locale) == facts.locale.replace("_", "-")
    assert site.url.startswith("https://")


def test_content_language_falls_back_to_the_site_default() -> None:
    assert SITES["EBAY_BE"].languages == ("nl-BE", "fr-BE")
    assert SITES["EBAY_BE"].content_language("fr_BE") == "fr-BE"
    assert SITES["EBAY_BE"].content_language("de_BE") == "nl-BE"
    assert SITES["EBAY_CA"].content_language("fr_CA") == "fr-CA"
    assert SITES["EBAY_DE"].content_language(None) == "de-DE"


def test_site_for_market_takes_country_codes_and_marketplace_ids() -> None:
    assert site_for_market("de") is SITES["EBAY_DE"]
    assert site_for_market("EBAY_GB") is SITES["EBAY_GB"]
    assert site_for_market("JP") is None


def test_capabilities_list_the_sites() -> None:
    site = CAPABILITIES.site("DE")
    assert site is not None
    assert (site.site_id, site.currency, site.language) == ("EBAY_DE", "EUR", "de-DE")
    assert set(CAPABILITIES.sites) == set(REQUIRED)
