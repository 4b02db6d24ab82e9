"""The gpsr rule: EU GPSR (Regulation (EU) 2023/988) art. 16 and 19 online-offer information."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from xborder.catalog import read_catalog, read_seller
from xborder.compliance import ALL_REGIMES, Context, Rule
from xborder.compliance.rules.gpsr import (
    NEEDS_SAFETY_INFO,
    OUT_OF_SCOPE,
    RULE,
    GpsrRule,
    address_country,
)
from xborder.findings import Finding
from xborder.listing import CATEGORIES, Listing, Party, Seller
from xborder.localize.channels import channel_rules
from xborder.markets import Market
from xborder.money import Money

ON = date(2026, 7, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EUR_LEX = "https://eur-lex.europa.eu/eli/reg/2023/988/oj"

US_MAKER = Party(
    name="Blue Ridge Kiln Co.",
    postal_address="418 Kiln Yard Lane, Asheville, NC 28801, United States",
    email="hello@kiln.example.com",
)
IE_RP = Party(
    name="Liffey Compliance Ltd.",
    postal_address="Unit 4, 7 Grand Canal Quay, Dublin 2, D02 KX97, Ireland",
    url="https://liffey.example.com",
)
DE_MAKER = Party(
    name="Töpferei Müller GmbH",
    postal_address="Hauptstraße 1, 10115 Berlin, Germany",
    email="info@mueller.example.de",
)


def listing(**changes: Any) -> Listing:
    fields: dict[str, Any] = {
        "sku": "MUG-1",
        "title": "Stoneware mug, 350 ml",
        "price": Money("38.00", "USD"),
        "quantity": 3,
        "category": "home.drinkware",
        "gtin": "860001234015",
        "mpn": "BRK-MUG01",
        "images": ("https://images.example.com/mug-1.jpg",),
        "hs_code": "691200",
        "origin_country": "US",
        "manufacturer": US_MAKER,
        "eu_responsible_person": IE_RP,
        "safety_information": {"en": "Hot drinks can burn.", "de": "Heiße Getränke."},
    }
    fields.update(changes)
    return Listing(**fields)


def context(
    item: Listing, country: str = "DE", on: date = ON, seller: Seller | None = None
) -> Context:
    market = Market.for_country(country, on=on)
    return Context(
        listing=item,
        market=market,
        on=on,
        channel=None,
        seller=seller,
        regimes=seller.regimes if seller else ALL_REGIMES,
        language=market.languages[0],
    )


def run(item: Listing, country: str = "DE", on: date = ON, **kw: Any) -> list[Finding]:
    return list(RULE.check(context(item, country, on, **kw)))


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# -- the rule object ---------------------------------------------------------------------------


def test_rule_satisfies_the_protocol() -> None:
    assert isinstance(RULE, Rule)
    assert RULE.name == "gpsr"
    assert isinstance(RULE, GpsrRule)


def test_complete_listing_passes() -> None:
    assert run(listing()) == []


@pytest.mark.parametrize("country", ["GB", "JP", "US", "CA", "AU", "NO", "CH"])
def test_non_eu_markets_are_not_checked(country: str) -> None:
    bare = listing(manufacturer=None, eu_responsible_person=None, images=(), gtin=None, mpn=None)
    assert run(bare, country) == []


def test_applies_from_2024_12_13() -> None:
    bare = listing(manufacturer=None)
    assert run(bare, on=date(2024, 12, 12)) == []
    found = run(bare, on=date(2024, 12, 13))
    assert "gpsr.manufacturer_missing" in codes(found)


def test_every_finding_is_sourced_dated_and_placed() -> None:
    bare = listing(
        manufacturer=None,
        eu_responsible_person=None,
        images=(),
        gtin=None,
        mpn=None,
        category="home.candles",
        safety_information={},
    )
    found = run(bare)
    assert len(found) >= 5
    for finding in found:
        assert finding.code.startswith("gpsr.")
        assert finding.source == EUR_LEX
        assert finding.effective_from == date(2024, 12, 13)
        assert finding.field
        assert "art." in finding.message


# -- art. 19(a) and (b): manufacturer and responsible person ------------------------------------


def test_missing_manufacturer_also_needs_a_responsible_person() -> None:
    found = run(listing(manufacturer=None, eu_responsible_person=None))
    assert codes(found) == ["gpsr.manufacturer_missing", "gpsr.responsible_person_missing"]
    assert all(f.severity == "error" for f in found)
    assert "not named" in found[1].message


def test_missing_manufacturer_with_responsible_person() -> None:
    assert codes(run(listing(manufacturer=None))) == ["gpsr.manufacturer_missing"]


def test_manufacturer_outside_the_eu_needs_a_responsible_person() -> None:
    found = run(listing(eu_responsible_person=None))
    assert codes(found) == ["gpsr.responsible_person_missing"]
    assert found[0].severity == "error"
    assert found[0].field == "eu_responsible_person"
    assert "United States (US)" in found[0].message


def test_manufacturer_in_the_eu_needs_none() -> None:
    assert run(listing(manufacturer=DE_MAKER, eu_responsible_person=None)) == []


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("1 Main Street, Dover, DE 19901", "state or province"),
        ("4 Mill Road, Somewhere, Elsewhere", "no country name or code"),
        ("12 Via Roma, 50123 Firenze FI", "no country name or code"),
    ],
)
def test_unknown_manufacturer_country_requires_the_responsible_person(
    address: str, why: str
) -> None:
    maker = Party(name="Maker", postal_address=address, email="a@b.example.com")
    found = run(listing(manufacturer=maker, eu_responsible_person=None))
    assert codes(found) == ["gpsr.responsible_person_missing"]
    assert "cannot tell" in found[0].message
    assert why in found[0].message


def test_responsible_person_outside_the_eu() -> None:
    rp = Party(name="UK Rep", postal_address="1 High St, London, United Kingdom", email="x@y.uk")
    found = run(listing(eu_responsible_person=rp))
    assert codes(found) == ["gpsr.responsible_person_outside_eu"]
    assert found[0].severity == "error"


def test_responsible_person_country_unknown_is_a_warning() -> None:
    rp = Party(name="Rep", postal_address="Somewhere, Elsewhere", email="x@y.example.com")
    found = run(listing(eu_responsible_person=rp))
    assert codes(found) == ["gpsr.responsible_person_country_unknown"]
    assert found[0].severity == "warning"


def test_manufacturer_address_that_is_only_a_country_is_incomplete() -> None:
    maker = Party(name="Shenzhen Maker", postal_address="China", email="s@maker.example.cn")
    found = run(listing(manufacturer=maker))
    assert codes(found) == ["gpsr.manufacturer_incomplete"]
    assert found[0].severity == "error"


def test_manufacturer_without_electronic_address_is_incomplete() -> None:
    # Party refuses this on construction; a listing built around validation still must not pass.
    maker = Party.model_construct(name="Maker", postal_address=US_MAKER.postal_address)
    item = listing().model_copy(update={"manufacturer": maker})
    found = run(item)
    assert codes(found) == ["gpsr.manufacturer_incomplete"]
    assert "email address or website" in found[0].message


def test_responsible_person_incomplete() -> None:
    rp = Party.model_construct(name="", postal_address=IE_RP.postal_address, email="a@b.ie")
    found = run(listing().model_copy(update={"eu_responsible_person": rp}))
    assert codes(found) == ["gpsr.responsible_person_incomplete"]


# -- art. 19(c): identification ------------------------------------------------------------------


def test_no_gtin_and_no_mpn_is_a_warning() -> None:
    found = run(listing(gtin=None, mpn=None, gtin_exempt=True))
    assert codes(found) == ["gpsr.identifier_missing"]
    assert found[0].severity == "warning"


@pytest.mark.parametrize("kept", ["gtin", "mpn"])
def test_one_identifier_is_enough(kept: str) -> None:
    changes: dict[str, Any] = {"gtin": None, "mpn": None, "gtin_exempt": kept == "mpn"}
    changes[kept] = listing().model_dump()[kept]
    assert run(listing(**changes)) == []


def test_no_picture_is_an_error() -> None:
    found = run(listing(images=()))
    assert codes(found) == ["gpsr.picture_missing"]
    assert found[0].severity == "error"


# -- art. 19(d): safety information ---------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(NEEDS_SAFETY_INFO))
def test_categories_that_need_safety_information(category: str) -> None:
    found = run(listing(category=category, safety_information={}))
    assert codes(found) == ["gpsr.safety_info_missing"]
    assert found[0].severity == "error"


def test_battery_needs_safety_information_whatever_the_category() -> None:
    item = listing(
        category="other", safety_information={}, dangerous_goods={"battery": "contained"}
    )
    assert codes(run(item)) == ["gpsr.safety_info_missing"]


def test_products_that_need_none_pass_without_it() -> None:
    assert run(listing(safety_information={})) == []


def test_safety_information_in_the_wrong_language_is_a_warning() -> None:
    item = listing(category="home.candles", safety_information={"en": "Never leave unattended."})
    found = run(item)
    assert codes(found) == ["gpsr.safety_info_missing_language"]
    assert found[0].severity == "warning"
    assert found[0].field == "safety_information.de"
    assert "German (de)" in found[0].message


def test_regional_language_tags_count() -> None:
    item = listing(category="home.candles", safety_information={"de-AT": "Nie unbeaufsichtigt."})
    assert run(item) == []


def test_any_official_language_of_the_market_counts() -> None:
    item = listing(category="home.candles", safety_information={"fr": "Ne jamais laisser."})
    assert run(item, "BE") == []
    assert codes(run(item, "DE")) == ["gpsr.safety_info_missing_language"]


def test_the_same_warnings_read_again_give_the_same_findings() -> None:
    first = listing(category="home.candles", safety_information={"en": "Never leave unattended."})
    again = listing(category="home.candles", safety_information={"en": "Never leave unattended."})
    assert first.safety_information is not again.safety_information
    assert run(first) == run(again) == run(first)


class _Blank(str):
    """Text that reads as blank: equal to (and hashed as) its plain value, stripped to ""."""

    __slots__ = ()

    def strip(self, chars: str | None = None) -> str:
        return ""


def test_warnings_that_strip_to_nothing_are_not_given() -> None:
    text = "Nie unbeaufsichtigt lassen."
    plain = listing(category="home.candles", safety_information={"de": text})
    assert run(plain) == []  # German warnings given
    odd = plain.model_copy(update={"safety_information": MappingProxyType({"de": _Blank(text)})})
    # Equal items, but this text strips to nothing: no warnings are given.
    assert codes(run(odd)) == ["gpsr.safety_info_missing"]


# -- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(OUT_OF_SCOPE))
def test_products_outside_the_scope_get_one_info(category: str) -> None:
    item = listing(category=category, manufacturer=None, eu_responsible_person=None, images=())
    found = run(item)
    assert codes(found) == ["gpsr.out_of_scope"]
    assert found[0].severity == "info"
    assert "art. 2(2)" in found[0].message


def test_tables_use_known_categories() -> None:
    assert set(OUT_OF_SCOPE) <= set(CATEGORIES)
    assert set(NEEDS_SAFETY_INFO) <= set(CATEGORIES)
    assert not set(OUT_OF_SCOPE) & set(NEEDS_SAFETY_INFO)


def test_no_seller_does_not_relax_anything() -> None:
    item = listing(eu_responsible_person=None, gtin=None, mpn=None, gtin_exempt=True)
    seller = Seller(country="DE", regimes=("EU",), epr_numbers={"DE.packaging": "DE1234567890123"})
    assert run(item) == run(item, seller=seller)


def test_data_can_be_replaced() -> None:
    rule = GpsrRule({"effective_from": "2030-01-01", "source": "https://example.com/law"})
    assert list(rule.check(context(listing(manufacturer=None)))) == []
    found = list(rule.check(context(listing(manufacturer=None), on=date(2030, 1, 1))))
    assert found[0].source == "https://example.com/law"


# -- addresses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("418 Kiln Yard Lane, Asheville, NC 28801, United States", "US"),
        ("1 Main St, Springfield, USA", "US"),
        ("1 Main St, Springfield, U.S.A.", "US"),
        ("Building 5, Longgang District, Shenzhen, Guangdong 518116, China", "CN"),
        ("Civil Lines, Moradabad, Uttar Pradesh 244001, India", "IN"),
        ("Unit 4, Dublin 2, D02 KX97, Ireland", "IE"),
        ("Hauptstraße 1, 10115 Berlin, Deutschland", "DE"),
        ("1 rue de Rivoli, 75001 Paris FRANCE", "FR"),
        ("Calle Mayor 1, 28013 Madrid, España", "ES"),
        ("10 Downing Street, London SW1A 2AA, UK", "GB"),
        ("1 Market St, Belfast, Northern Ireland", "XI"),
        ("1 Market St, Belfast BT1 1AA, XI", "XI"),
        ("Bahnhofstrasse 1, 3011 Bern, BE", None),  # the canton of Bern, not Belgium
        ("Rue de Romont 1, 1700 Fribourg, FR", None),  # Fribourg, not France
        ("Pilatusstrasse 1, 6003 Luzern, LU", None),  # Luzern, not Luxembourg
        ("Via Maistra 1, 7500 St. Moritz, GR", None),  # Graubünden, not Greece
        ("Plot 5, Sector 44, Gurugram, HR 122003", None),  # Haryana, not Croatia
        ("Bahnhofstrasse 1, 3011 Bern, Switzerland", "CH"),
        ("1 rue de la Paix, 97400 Saint-Denis, Réunion", "RE"),
        ("1 Harbour Road, Kowloon, Hong Kong", "HK"),
        ("Rua 1, Macau", "MO"),
        ("1 rue de Rivoli, 75001 Paris, France, EU", "FR"),
        ("Hauptstraße 1, 10115 Berlin, Germany (EU)", "DE"),
        ("Via Roma 1, Roma, Italy, European Union", "IT"),
        ("EU", None),
        ("1 rue de l'Église, 37120 Richelieu", None),  # no country; "Richelieu" is no "EU"
        ("1 rue de l'Église, 37120 Richelieu, France", "FR"),
        ("1 Harbour Road, Kowloon, HK", "HK"),
        ("1 Main St, Dover, DE 19901", None),  # Delaware, not Germany
        ("1 Main St, Helena, MT", None),  # Montana, not Malta
        ("Nowhere", None),
        ("", None),
    ],
)
def test_address_country(address: str, country: str | None) -> None:
    assert address_country(address) == country


@pytest.mark.parametrize(
    "address",
    [
        "Bahnhofstrasse 1, 3011 Bern, BE",
        "Rue de Romont 1, 1700 Fribourg, FR",
        "Plot 5, Sector 44, Gurugram, HR 122003",
    ],
)
def test_a_canton_or_state_code_does_not_establish_a_maker_in_the_eu(address: str) -> None:
    maker = Party(name="M", postal_address=address, email="a@b.example.com")
    found = run(listing(manufacturer=maker, eu_responsible_person=None))
    assert codes(found) == ["gpsr.responsible_person_missing"]
    assert "cannot tell where the manufacturer is established" in found[0].message
    # Nor does it make a responsible person one established in the EU.
    found = run(listing(eu_responsible_person=maker))
    assert codes(found) == ["gpsr.responsible_person_country_unknown"]


@pytest.mark.parametrize(
    "address",
    [
        "1 Market St, Belfast BT1 1AA, Northern Ireland",  # Windsor Framework
        "1 rue de la Paix, 97400 Saint-Denis, Réunion",  # outermost region (TFEU art. 349)
        "Calle Triana 1, 35002 Las Palmas, Canary Islands",
        "Torggatan 1, 22100 Mariehamn, Åland Islands",  # TFEU art. 355(4)
    ],
)
def test_a_maker_in_northern_ireland_or_an_outermost_region_needs_no_eu_rp(address: str) -> None:
    maker = Party(name="M", postal_address=address, email="a@b.example.com")
    assert run(listing(manufacturer=maker, eu_responsible_person=None)) == []
    assert run(listing(eu_responsible_person=maker)) == []


@pytest.mark.parametrize("mpn", ["Does not apply", "N/A", "none", " does  NOT apply ", "-"])
def test_an_mpn_saying_there_is_none_is_no_identifier(mpn: str) -> None:
    found = run(listing(gtin=None, mpn=mpn))
    assert codes(found) == ["gpsr.identifier_missing"]
    assert run(listing(gtin=None, mpn="BRK-MUG01")) == []


# -- the sample catalog ----------------------------------------------------------------------------


def catalog() -> list[Listing]:
    return list(read_catalog(EXAMPLES / "catalog.csv"))


@pytest.mark.parametrize("country", ["DE", "FR"])
@pytest.mark.parametrize("with_seller", [False, True])
def test_sample_catalog_gaps_in_eu_markets(country: str, with_seller: bool) -> None:
    seller = read_seller(EXAMPLES / "seller.json") if with_seller else None
    errors = {
        (item.sku, f.code)
        for item in catalog()
        for f in run(item, country, seller=seller)
        if f.severity == "error"
    }
    assert errors == {
        ("TEA-01", "gpsr.responsible_person_missing"),
        ("LTH-TOT-01", "gpsr.responsible_person_missing"),
        ("VAP-01", "gpsr.manufacturer_missing"),
        ("VAP-01", "gpsr.responsible_person_missing"),
    }


def test_sample_catalog_in_france_lacks_french_safety_text() -> None:
    warned = {
        item.sku
        for item in catalog()
        for f in run(item, "FR")
        if f.code == "gpsr.safety_info_missing_language"
    }
    assert {"CDL-01", "COS-LIP-01", "PHN-01", "KNF-01"} <= warned
    assert "SED-01" not in warned  # seeds for sowing are outside the GPSR


@pytest.mark.parametrize("country", ["GB", "JP", "US", "CA", "AU"])
def test_sample_catalog_outside_the_eu_has_no_gpsr_findings(country: str) -> None:
    assert [f for item in catalog() for f in run(item, country)] == []


def test_sample_catalog_with_a_channel_is_the_same() -> None:
    item = next(i for i in catalog() if i.sku == "TEA-01")
    ctx = context(item)
    with_channel = Context(
        listing=ctx.listing,
        market=ctx.market,
        on=ctx.on,
        channel=channel_rules("ebay", on=ON),
        seller=None,
        regimes=ALL_REGIMES,
        language="de",
    )
    assert list(RULE.check(with_channel)) == list(RULE.check(ctx))
