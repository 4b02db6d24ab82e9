"""The epr rule: DE packaging/WEEE/batteries and FR IDU registrations, per category."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from xborder.catalog import read_catalog, read_seller
from xborder.compliance import ALL_REGIMES, Context, Rule
from xborder.compliance._data import load
from xborder.compliance.rules.epr import CATEGORY_STREAMS, RULE, EprRule, streams_for
from xborder.findings import Finding
from xborder.listing import CATEGORIES, Listing, Seller
from xborder.localize.channels import channel_rules
from xborder.markets import Market
from xborder.money import Money

ON = date(2026, 7, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LUCID = "DE1234567890123"


def listing(**changes: Any) -> Listing:
    fields: dict[str, Any] = {
        "sku": "MUG-1",
        "title": "Stoneware mug",
        "price": Money("38.00", "USD"),
        "quantity": 3,
        "category": "home.drinkware",
    }
    fields.update(changes)
    return Listing(**fields)


def seller(**numbers: str) -> Seller:
    return Seller(
        country="US",
        regimes=("US",),
        epr_numbers={key.replace("__", "."): value for key, value in numbers.items()},
    )


def run(
    item: Listing,
    country: str = "DE",
    *,
    on: date = ON,
    who: Seller | None = None,
    channel: str | None = None,
) -> list[Finding]:
    market = Market.for_country(country, on=on)
    context = Context(
        listing=item,
        market=market,
        on=on,
        channel=channel_rules(channel, on=on) if channel else None,
        seller=who,
        regimes=who.regimes if who else ALL_REGIMES,
        language=market.languages[0],
    )
    return list(RULE.check(context))


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_rule_satisfies_the_protocol() -> None:
    assert isinstance(RULE, Rule)
    assert RULE.name == "epr"
    assert isinstance(RULE, EprRule)


# -- Germany ------------------------------------------------------------------------------------


def test_de_packaging_number_held_passes() -> None:
    assert run(listing(), who=seller(DE__packaging=LUCID)) == []


def test_de_packaging_missing_is_a_warning_without_a_marketplace() -> None:
    found = run(listing(), who=seller())
    assert codes(found) == ["epr.de_packaging_registration_missing"]
    (finding,) = found
    assert finding.severity == "warning"
    assert finding.field == "seller.epr_numbers.DE.packaging"
    assert finding.effective_from == date(2022, 7, 1)
    assert finding.source is not None and finding.source.startswith("https://")
    assert "LUCID" in finding.message and "VerpackG" in finding.message


@pytest.mark.parametrize("channel", ["ebay", "amazon"])
def test_de_packaging_missing_blocks_on_a_marketplace(channel: str) -> None:
    (finding,) = run(listing(), who=seller(), channel=channel)
    assert finding.code == "epr.de_packaging_registration_missing"
    assert finding.severity == "error"
    assert "will not publish" in finding.message


@pytest.mark.parametrize("channel", ["facebook", "meta"])
def test_de_packaging_missing_is_a_warning_where_the_facts_name_no_block(channel: str) -> None:
    (finding,) = run(listing(), who=seller(), channel=channel)
    assert (finding.code, finding.severity) == ("epr.de_packaging_registration_missing", "warning")
    assert "will not publish" not in finding.message


@pytest.mark.parametrize(
    "placeholder",
    [
        "n/a",
        "N/A",
        "N.A.",
        "pending",
        "-",
        " none ",
        "applied  for",
        "keine",
        "beantragt",
        "en cours",
    ],
)
def test_a_placeholder_is_no_registration_number(placeholder: str) -> None:
    found = run(listing(), who=seller(DE__packaging=placeholder), channel="ebay")
    assert codes(found) == ["epr.epr_numbers_invalid", "epr.de_packaging_registration_missing"]
    assert found[0].field == "seller.epr_numbers.DE.packaging"
    assert "there is none" in found[0].message


def test_de_packaging_checked_from_2022_07_01() -> None:
    assert run(listing(), on=date(2022, 6, 30), who=seller()) == []
    assert run(listing(), on=date(2022, 7, 1), who=seller()) != []


def test_no_seller_warns_for_every_scheme_and_never_errs() -> None:
    item = listing(category="electronics", dangerous_goods={"battery": "contained"})
    found = run(item, channel="ebay")
    assert codes(found) == [
        "epr.de_packaging_registration_unknown",
        "epr.de_weee_registration_unknown",
        "epr.de_batteries_registration_unknown",
    ]
    assert {f.severity for f in found} == {"warning"}
    assert all("epr_numbers[" in f.message for f in found)


def test_electronics_need_weee() -> None:
    found = run(listing(category="electronics"), who=seller(DE__packaging=LUCID))
    assert codes(found) == ["epr.de_weee_registration_missing"]
    assert found[0].severity == "warning"  # the facts do not say marketplaces block
    assert found[0].effective_from == date(2023, 1, 1)


def test_a_battery_inside_needs_weee_and_batteries() -> None:
    item = listing(category="other", dangerous_goods={"battery": "contained"})
    assert codes(run(item, who=seller(DE__packaging=LUCID))) == [
        "epr.de_weee_registration_missing",
        "epr.de_batteries_registration_missing",
    ]


def test_a_standalone_battery_is_not_equipment() -> None:
    item = listing(category="other", dangerous_goods={"battery": "standalone"})
    assert codes(run(item, who=seller(DE__packaging=LUCID))) == [
        "epr.de_batteries_registration_missing"
    ]


def test_battery_scheme_date_and_unverified_note() -> None:
    item = listing(category="electronics.batteries")
    held = seller(DE__packaging=LUCID, DE__weee="DE12345678")
    assert run(item, on=date(2025, 8, 17), who=held) == []
    (finding,) = run(item, on=date(2025, 8, 18), who=held)
    assert finding.code == "epr.de_batteries_registration_missing"
    assert finding.effective_from == date(2025, 8, 18)
    assert "2025-10-07" in finding.message  # the unverified in-force date stays visible


def test_keys_are_case_insensitive() -> None:
    assert run(listing(), who=seller(de__PACKAGING=LUCID)) == []


def test_unusual_number_format_is_info() -> None:
    (finding,) = run(listing(), who=seller(DE__packaging="12345"))
    assert finding.code == "epr.de_packaging_registration_format_unusual"
    assert finding.severity == "info"


# -- France -------------------------------------------------------------------------------------


def test_fr_apparel_needs_textiles_and_packaging() -> None:
    found = run(listing(category="apparel"), "FR", who=seller(), channel="ebay")
    assert codes(found) == [
        "epr.fr_packaging_registration_missing",
        "epr.fr_textiles_registration_missing",
    ]
    assert {f.severity for f in found} == {"warning"}  # marketplaces collect, not block
    assert all(f.effective_from == date(2022, 1, 1) for f in found)


@pytest.mark.parametrize(
    ("category", "scheme"),
    [
        ("toys", "fr_toys"),
        ("sports", "fr_sports"),
        ("tools.knives", "fr_diy_garden"),
        ("stationery", "fr_paper"),
        ("art.prints", "fr_paper"),
        ("home.textiles", "fr_textiles"),
        ("electronics", "fr_eee"),
    ],
)
def test_fr_streams(category: str, scheme: str) -> None:
    found = run(listing(category=category), "FR", who=seller(FR__packaging="FR123"))
    assert f"epr.{scheme}_registration_missing" in codes(found)


def test_fr_before_2022_nothing() -> None:
    assert run(listing(category="apparel"), "FR", on=date(2021, 12, 31), who=seller()) == []


@pytest.mark.parametrize("country", ["GB", "US", "JP", "IT", "CA"])
def test_markets_without_sourced_schemes(country: str) -> None:
    assert run(listing(category="electronics"), country, who=seller()) == []


# -- the table and the data -------------------------------------------------------------------


def test_table_covers_every_category() -> None:
    assert set(CATEGORY_STREAMS) == set(CATEGORIES)


def test_every_stream_in_the_table_has_schemes() -> None:
    streams = {s["stream"] for s in load("epr")["schemes"]}
    used = set().union(*CATEGORY_STREAMS.values()) | {"packaging", "eee", "batteries"}
    assert used <= streams


def test_streams_for() -> None:
    assert streams_for(listing(category=None)) == {
        "packaging": "it is shipped to consumers in packaging"
    }
    battery = streams_for(listing(category="watches", dangerous_goods={"battery": "contained"}))
    assert set(battery) == {"packaging", "eee", "batteries"}


def test_scheme_data_is_dated_and_sourced() -> None:
    for scheme in load("epr")["schemes"]:
        assert re.fullmatch(r"[A-Z]{2}\.[a-z_]+", scheme["key"])
        assert scheme["key"].startswith(scheme["country"] + ".")
        assert date.fromisoformat(scheme["effective_from"])
        assert scheme["source"] and all(s.startswith("https://") for s in scheme["source"])
        blocks = scheme["marketplace_blocks"]
        assert isinstance(blocks, list) and set(blocks) <= {"amazon", "ebay"}
        assert not any("wwww." in url for url in scheme["source"])


def test_custom_data() -> None:
    data = {
        "schemes": [
            {
                "key": "DE.packaging",
                "country": "DE",
                "stream": "packaging",
                "identifier": "number",
                "law": "a law",
                "effective_from": "2030-01-01",
                "source": "https://example.com",
            }
        ]
    }
    rule = EprRule(data)
    market = Market.for_country("DE", on=ON)
    ctx = Context(listing(), market, ON, None, seller(), ("US",), "de")
    assert list(rule.check(ctx)) == []


# -- the sample catalog ---------------------------------------------------------------------------


def catalog() -> list[Listing]:
    return list(read_catalog(EXAMPLES / "catalog.csv"))


@pytest.mark.parametrize("country", ["DE", "FR"])
@pytest.mark.parametrize("channel", [None, "ebay"])
def test_sample_catalog_with_sample_seller_has_no_epr_error(
    country: str, channel: str | None
) -> None:
    who = read_seller(EXAMPLES / "seller.json")
    found = [f for item in catalog() for f in run(item, country, who=who, channel=channel)]
    assert [f for f in found if f.severity == "error"] == []
    # DE.packaging and FR.packaging are held: only the other streams remain
    assert not any("packaging" in f.code for f in found)


def test_sample_catalog_without_seller_gives_warnings_only() -> None:
    items = catalog()
    for country in ("DE", "FR"):
        found = [f for item in items for f in run(item, country, channel="ebay")]
        assert {f.severity for f in found} == {"warning"}
        packaging = [f for f in found if "packaging" in f.code]
        assert len(packaging) == len(items)


def test_sample_catalog_de_electronics() -> None:
    who = read_seller(EXAMPLES / "seller.json")
    by_sku = {
        item.sku: codes(run(item, "DE", who=who)) for item in catalog() if run(item, "DE", who=who)
    }
    assert by_sku == {
        "PHN-01": ["epr.de_weee_registration_missing", "epr.de_batteries_registration_missing"],
        "VAP-01": ["epr.de_weee_registration_missing", "epr.de_batteries_registration_missing"],
    }


@pytest.mark.parametrize("country", ["GB", "JP", "US"])
def test_sample_catalog_outside_de_fr_has_no_epr_findings(country: str) -> None:
    assert [f for item in catalog() for f in run(item, country)] == []
