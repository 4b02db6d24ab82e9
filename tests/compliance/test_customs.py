"""customs: HS code, origin, description and weight."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from xborder.compliance import Report, check
from xborder.compliance.rules.customs import (
    RULE,
    US_TEN_DIGITS_FROM,
    is_vague_description,
)
from xborder.listing import Listing, Seller, Weight
from xborder.money import Money

ON = date(2026, 10, 30)
US_SELLER = Seller(country="US", regimes=("US",))
CN_SELLER = Seller(country="CN", regimes=("US",))


def make_listing(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "MUG-01",
        "title": "Stoneware coffee mug, 350 ml",
        "price": Money("24.00", "USD"),
        "quantity": 5,
        "weight": Weight(value="0.4", unit="kg"),
        "hs_code": "691200",
        "origin_country": "US",
        "customs_description": "Stoneware coffee mug, glazed, 350 ml",
    }
    values.update(changes)
    return Listing(**values)


def junk(**changes: Any) -> Listing:
    return make_listing().model_copy(update=changes)


def run(
    listing: Listing, market: str = "DE", *, on: date = ON, seller: Seller | None = US_SELLER
) -> Report:
    return check(listing, market, on=on, seller=seller, rules=[RULE])


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def test_complete_listing_passes() -> None:
    for market in ("DE", "GB", "JP", "AU", "CN"):
        assert run(make_listing(), market).findings == ()
    assert run(make_listing(hs_code="6912001000"), "US", seller=CN_SELLER).findings == ()


def test_every_finding_has_a_source_and_plain_message() -> None:
    listing = junk(hs_code=None, origin_country=None, customs_description="gift", weight=None)
    for market in ("DE", "US", "JP", "CN"):
        for finding in run(listing, market).findings:
            assert finding.source and finding.source.startswith("http")
            assert finding.message.endswith(".") and len(finding.message) > 40
            assert finding.field


# -- HS code --------------------------------------------------------------------------------


@pytest.mark.parametrize("market", ["DE", "FR", "NO", "CH"])
def test_hs_missing_is_an_error_under_ics2(market: str) -> None:
    (finding,) = run(make_listing(hs_code=None), market).findings
    assert (finding.code, finding.severity, finding.field) == (
        "customs.hs_code_missing",
        "error",
        "hs_code",
    )
    assert finding.effective_from == date(2023, 3, 1)
    assert "ICS2" in finding.message and "easypost" in (finding.source or "")


def test_hs_missing_before_ics2_is_a_warning() -> None:
    (finding,) = run(make_listing(hs_code=None), "DE", on=date(2023, 2, 28)).findings
    assert finding.severity == "warning"


def test_hs_missing_us_after_de_minimis_ended() -> None:
    (finding,) = run(make_listing(hs_code=None), "US", seller=CN_SELLER).findings
    assert finding.severity == "error" and finding.effective_from == date(2025, 8, 29)
    before = run(make_listing(hs_code=None), "US", on=date(2025, 8, 28), seller=CN_SELLER)
    assert before.findings[0].severity == "warning"


def test_hs_missing_china_and_elsewhere() -> None:
    assert run(make_listing(hs_code=None), "CN").findings[0].severity == "error"
    (finding,) = run(make_listing(hs_code=None), "JP").findings
    assert finding.severity == "warning" and finding.effective_from is None


@pytest.mark.parametrize("code", ["010121", "96190000", "691200100", "9619001100", "6912.00"])
def test_hs_valid_lengths_and_chapters(code: str) -> None:
    assert run(junk(hs_code=code), "JP").findings == ()


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("12345", "5 digits"),
        ("1234567", "7 digits"),
        ("12345678901", "11 digits"),
        ("69120A", "digits only"),
        ("770100", "chapter 77 is reserved"),
        ("000000", "chapter 00"),
        ("980100", "national special provisions"),
        ("9903881500", "national special provisions"),
        (691200, "not text"),
    ],
)
def test_hs_invalid(code: object, problem: str) -> None:
    (finding,) = run(junk(hs_code=code), "JP").findings
    assert (finding.code, finding.severity) == ("customs.hs_code_invalid", "error")
    assert problem in finding.message
    if "77" in problem:
        assert "chapter/77" in (finding.source or "")


def test_us_needs_ten_digits_from_the_postal_entry_date() -> None:
    (finding,) = run(make_listing(), "US", on=US_TEN_DIGITS_FROM, seller=CN_SELLER).findings
    assert (finding.code, finding.severity) == ("customs.hs_code_too_short", "warning")
    assert finding.effective_from == date(2026, 7, 24)
    assert "6 digits" in finding.message and "10-digit" in finding.message
    assert "supplychaindive" in (finding.source or "")
    day_before = date(2026, 7, 23)
    assert run(make_listing(), "US", on=day_before, seller=CN_SELLER).findings == ()
    assert run(make_listing(hs_code="69120010"), "US", seller=CN_SELLER).codes() == (
        "customs.hs_code_too_short",
    )
    assert run(make_listing(hs_code="6912001000"), "US", seller=CN_SELLER).findings == ()
    assert run(make_listing(), "DE").findings == ()  # only the US asks for 10 digits


def test_ten_digit_date_comes_from_the_facts() -> None:
    from importlib import resources

    text = resources.files("xborder").joinpath("data/facts/markets.json").read_text("utf-8")
    assert "10-digit HTS" in text and "mostly effective 2026-07-24" in text


# -- origin, description, weight -------------------------------------------------------------


def test_origin_missing_or_invalid() -> None:
    (finding,) = run(make_listing(origin_country=None)).findings
    assert (finding.code, finding.severity) == ("customs.origin_missing", "error")
    for bad in ("XX", "us", "", 840, ["US"]):
        (finding,) = run(junk(origin_country=bad)).findings
        assert finding.code == "customs.origin_missing"
    assert "not a valid" in run(junk(origin_country="XX")).findings[0].message


def test_description_missing_is_a_warning() -> None:
    (finding,) = run(make_listing(customs_description=None)).findings
    assert (finding.code, finding.severity) == ("customs.description_missing", "warning")


@pytest.mark.parametrize(
    "text",
    [
        "gift",
        "Gifts",
        "GOODS",
        "parts",
        "spare parts",
        "accessories",
        "Samples",
        "other",
        "merchandise",
        "item",
        "Items",
        "various items",
        "stuff",
        "product",
        "Products",
        "2 pcs accessories",
        "misc. items",
        "clothing",
        "a gift for you",
        "---",
        "123",
    ],
)
def test_vague_descriptions(text: str) -> None:
    assert is_vague_description(text)
    (finding,) = run(junk(customs_description=text)).findings
    assert (finding.code, finding.severity) == ("customs.description_vague", "error")
    assert "what the item is" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Stoneware coffee mug, glazed, 350 ml",
        "women's dress, 60% cotton 40% polyester",
        "hexagonal aluminium bicycle nuts",
        "phone case, silicone",
        "gift box of 4 beeswax candles",
        "bicycle spare parts: brake pads",
    ],
)
def test_specific_descriptions_pass(text: str) -> None:
    assert not is_vague_description(text)
    assert run(make_listing(customs_description=text)).findings == ()


def test_bare_brand_is_vague() -> None:
    listing = make_listing(brand="Blue Ridge Kiln", customs_description="blue ridge kiln")
    assert run(listing).findings[0].code == "customs.description_vague"


@pytest.mark.parametrize(
    "text",
    ["n/a", "free sample", "Birthday gift", "Christmas present", "personal effects", "Geschenk",
     "cadeaux", "Muster", "Ersatzteile", "échantillons", "regalo", "campioni"],
)  # fmt: skip
def test_vague_words_in_other_spellings_and_languages(text: str) -> None:
    assert is_vague_description(text)


@pytest.mark.parametrize(
    "text", ["Wedding dress, silk", "Holiday ornament, glass", "Zubehör für Kaffeemaschine"]
)
def test_precise_descriptions_with_those_words_pass(text: str) -> None:
    assert not is_vague_description(text)


def test_bare_model_number_is_vague() -> None:
    listing = make_listing(mpn="BRK-MUG01-BLU", customs_description="brk-mug01-blu")
    assert [f.code for f in run(listing).findings] == ["customs.description_vague"]
    assert is_vague_description("BRK-MUG01-BLU", mpn="BRK-MUG01-BLU")
    assert not is_vague_description("Stoneware mug BRK-MUG01-BLU", mpn="BRK-MUG01-BLU")
    described = make_listing(mpn="BRK-MUG01-BLU", customs_description="Stoneware mug BRK-MUG01")
    assert run(described).findings == ()


def test_weight_missing_or_invalid() -> None:
    (finding,) = run(make_listing(weight=None)).findings
    assert (finding.code, finding.severity) == ("customs.weight_missing", "warning")
    for bad in (
        Weight.model_construct(value=Decimal("-1"), unit="kg"),
        Weight.model_construct(value=Decimal("NaN"), unit="kg"),
        Weight.model_construct(value=Decimal("1"), unit="stone"),
        Weight.model_construct(value=1.5, unit="kg"),
        "1 kg",
    ):
        (finding,) = run(junk(weight=bad)).findings
        assert finding.code == "customs.weight_missing" and "not a positive" in finding.message


def test_all_findings_together_sorted() -> None:
    listing = junk(hs_code=None, origin_country=None, customs_description=None, weight=None)
    assert codes(run(listing)) == [
        "customs.hs_code_missing",
        "customs.origin_missing",
        "customs.description_missing",
        "customs.weight_missing",
    ]


# -- when no customs declaration is made -----------------------------------------------------


def test_domestic_and_intra_eu_sales_need_no_customs_data() -> None:
    bare = junk(hs_code=None, origin_country=None, customs_description=None, weight=None)
    assert run(bare, "US", seller=US_SELLER).findings == ()
    de_seller = Seller(country="DE", regimes=("EU",))
    assert run(bare, "DE", seller=de_seller).findings == ()
    assert run(bare, "FR", seller=de_seller).findings == ()  # EU customs union
    assert len(run(bare, "GB", seller=de_seller).findings) == 4
    assert len(run(bare, "CH", seller=de_seller).findings) == 4
    without_seller = run(bare, "DE", seller=None).codes()  # without a seller: assume export
    assert len([c for c in without_seller if c.startswith("customs.")]) == 4
