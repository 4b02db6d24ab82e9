"""The ``sanctions`` rule: destination x the seller's regimes, strictest action wins."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from itertools import combinations
from typing import Any

import pytest

from xborder import Listing, Money
from xborder.compliance import ALL_REGIMES, Context, Regime, Rule
from xborder.compliance.rules.sanctions import (
    NOT_SCREENING,
    RULE,
    SanctionsRule,
    assess,
    targets,
)
from xborder.findings import Finding
from xborder.markets import Market

ON = date(2026, 11, 28)
COUNTRIES = ("RU", "IR", "CU", "KP", "SY", "BY", "VE")
REGIME_SETS: list[tuple[Regime, ...]] = [
    combo for n in (1, 2, 3) for combo in combinations(ALL_REGIMES, n)
]
CODE = {"block": "sanctions.blocked", "review": "sanctions.review", "screen": "sanctions.screen"}
SEVERITY = {"block": "error", "review": "warning", "screen": "info"}
RANK = {"screen": 0, "review": 1, "block": 2}
ITEM = Listing(sku="MUG-1", title="Stoneware mug", price=Money("10.00", "USD"), quantity=1)


@cache
def facts() -> dict[str, Any]:
    text = resources.files("xborder").joinpath("data/facts/sanctions.json").read_text()
    return {t["code"]: t for t in json.loads(text)["targets"]}


def run(country: str, regimes: tuple[Regime, ...] = ALL_REGIMES, on: date = ON) -> list[Finding]:
    market = Market.for_country(country, on=on)
    context = Context(
        listing=ITEM,
        market=market,
        on=on,
        channel=None,
        seller=None,
        regimes=regimes,
        language="en",
    )
    return list(RULE.check(context))


def strictest(code: str, regimes: tuple[Regime, ...]) -> str:
    """The facts' own answer, computed here without the rule's code."""
    actions = [facts()[code]["checker_action"][r] for r in regimes]
    return max(actions, key=RANK.__getitem__)


def test_rule_satisfies_the_protocol() -> None:
    assert isinstance(RULE, Rule)
    assert RULE.name == "sanctions"
    assert isinstance(RULE, SanctionsRule)


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("regimes", REGIME_SETS, ids="+".join)
def test_country_targets_follow_the_facts(country: str, regimes: tuple[Regime, ...]) -> None:
    action = strictest(country, regimes)
    (finding,) = run(country, regimes)
    assert finding.code == CODE[action]
    assert finding.severity == SEVERITY[action]
    assert NOT_SCREENING in finding.message
    assert f"Regimes checked: {', '.join(regimes)}" in finding.message
    assert finding.source and finding.source.startswith("https://")


@pytest.mark.parametrize(
    ("country", "regimes", "code"),
    [
        ("RU", ("US",), "sanctions.blocked"),
        ("RU", ("EU",), "sanctions.blocked"),
        ("BY", ("UK",), "sanctions.blocked"),
        ("KP", ("EU", "UK"), "sanctions.blocked"),
        ("CU", ("US",), "sanctions.blocked"),
        ("CU", ("EU",), "sanctions.screen"),
        ("CU", ("EU", "UK"), "sanctions.screen"),
        ("CU", ALL_REGIMES, "sanctions.blocked"),
        ("IR", ("US",), "sanctions.blocked"),
        ("IR", ("UK",), "sanctions.review"),
        ("SY", ALL_REGIMES, "sanctions.review"),  # 2025: no longer a comprehensive embargo
        ("VE", ("US",), "sanctions.review"),
        ("VE", ("EU", "UK"), "sanctions.screen"),
    ],
)
def test_known_answers(country: str, regimes: tuple[Regime, ...], code: str) -> None:
    assert [f.code for f in run(country, regimes)] == [code]


def test_the_message_names_the_deciding_regime_and_the_basis() -> None:
    (cuba,) = run("CU", ("US", "EU"))
    assert "Do not ship to Cuba: sanctions under US block it." in cuba.message
    assert "Cuban Assets Control Regulations" in cuba.message
    assert "EU: screen" in cuba.message
    (syria,) = run("SY")
    assert "EO 14312" in syria.message
    assert syria.source == "https://www.govinfo.gov/content/pkg/FR-2025-07-03/html/2025-12506.htm"


def test_missing_regime_sources_fall_back_to_the_general_ones_and_say_so() -> None:
    (cuba,) = run("CU", ("EU",))
    assert "General sources" in cuba.message
    assert (
        cuba.source
        == "https://legalclarity.org/ofac-countries-list-of-sanctioned-nations-and-restrictions"
    )
    assert "Not verified in the facts" in cuba.message
    assert "as the facts stood on 2026-11-28, whatever day is checked" in cuba.message


@pytest.mark.parametrize("regimes", REGIME_SETS, ids="+".join)
def test_ukraine_gets_one_address_screening_warning(regimes: tuple[Regime, ...]) -> None:
    (finding,) = run("UA", regimes)
    assert (finding.code, finding.severity) == ("sanctions.review", "warning")
    for region in ("UA-43", "UA-40", "UA-14", "UA-09", "UA-23", "UA-65"):
        assert region in finding.message
    assert "no buyer address" in finding.message
    assert NOT_SCREENING in finding.message
    assert finding.source
    assert "as the facts stood on 2026-11-28, whatever day is checked" in finding.message
    # The facts' caveats on the regions are repeated, as for a sanctioned country.
    assert "Not verified in the facts: EU/UK sources not retrieved" in finding.message
    assert "postal-address level detection is hard" in finding.message
    assert "whether OFAC formally extended EO 14065 to Zaporizhzhia/Kherson" in finding.message


def test_regions_are_assessed_per_regime() -> None:
    crimea = assess("UA-40")
    assert crimea is not None and crimea.target.code == "UA-43" and crimea.action == "block"
    south = assess("UA-65", ["US"])
    assert south is not None and south.target.code == "UA-23/UA-65" and south.action == "review"
    south_eu = assess("UA-23", ["EU"])
    assert south_eu is not None and south_eu.action == "block"
    assert assess("DE") is None
    assert assess("UA") is None


def test_assess_names_the_deciding_regimes() -> None:
    cuba = assess("CU", ["EU", "US", "UK"])
    assert cuba is not None
    assert cuba.action == "block" and cuba.regimes == ("US",)
    assert cuba.checked == ("EU", "US", "UK")
    everyone = assess("CU", [])
    assert everyone is not None and everyone.checked == ALL_REGIMES


def test_every_fact_target_is_loaded() -> None:
    assert [t.code for t in targets()] == list(facts())
    for target in targets():
        for regime in ALL_REGIMES:
            assert target.regimes[regime].action == facts()[target.code]["checker_action"][regime]


@pytest.mark.parametrize("country", ["DE", "US", "GB", "JP", "AU", "CA", "NO", "CN", "TR"])
def test_other_destinations_raise_nothing(country: str) -> None:
    assert run(country) == []


def test_no_regimes_means_all_regimes() -> None:
    assert run("CU", ()) == run("CU", ALL_REGIMES)


def test_findings_do_not_depend_on_the_listing_or_the_date() -> None:
    # The sanctions facts are a snapshot (as_of 2026-11-28) without dated periods.
    assert run("IR", on=date(2026, 1, 1)) == run("IR", on=date(2026, 11, 28))


def test_performance_smoke() -> None:
    # No timing assert: repeated checks give the same (cached) findings.
    for country in (*COUNTRIES, "UA", "DE"):
        first = run(country)
        for _ in range(50):
            assert run(country) == first
