"""identifiers: GTIN check digits (python-stdnum), brand, MPN and channel demands."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from xborder.compliance import Report, check
from xborder.compliance.rules.identifiers import RULE, is_valid_gtin
from xborder.listing import Listing, Seller
from xborder.money import Money

ON = date(2026, 10, 30)
SELLER = Seller(country="US", regimes=("US",))


def make_listing(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "MUG-01",
        "title": "Stoneware coffee mug, 350 ml",
        "price": Money("24.00", "USD"),
        "quantity": 5,
        "brand": "Blue Ridge Kiln",
        "mpn": "BRK-MUG01",
        "gtin": "4006381333931",
    }
    values.update(changes)
    return Listing(**values)


def junk(**changes: Any) -> Listing:
    return make_listing().model_copy(update=changes)


def run(listing: Listing, channel: str | None = None) -> Report:
    return check(listing, "DE", channel=channel, on=ON, seller=SELLER, rules=[RULE])


@pytest.mark.parametrize("channel", [None, "ebay", "amazon", "facebook"])
def test_complete_listing_passes(channel: str | None) -> None:
    assert run(make_listing(), channel).findings == ()


@pytest.mark.parametrize("gtin", ["96385074", "036000291452", "4006381333931", "10614141000415"])
def test_gtin_8_12_13_14(gtin: str) -> None:
    assert is_valid_gtin(gtin)
    assert run(make_listing(gtin=gtin)).findings == ()


@pytest.mark.parametrize(
    "gtin", ["4006381333932", "400638133393", "40063813339311", "ABCDEFGHIJKLM", 4006381333931]
)
def test_gtin_invalid_is_an_error_everywhere(gtin: object) -> None:
    for channel in (None, "ebay", "amazon", "facebook"):
        report = run(junk(gtin=gtin), channel)
        assert report.codes()[0] == "identifiers.gtin_invalid"
        assert report.errors[0].field == "gtin"
        assert report.codes().count("identifiers.gtin_invalid") == 1


@given(st.text(alphabet="0123456789", min_size=1, max_size=15))
def test_gtin_check_is_stdnums(code: str) -> None:
    assert is_valid_gtin(code) == ean.is_valid(code)


def test_without_channel_only_a_missing_gtin_warning() -> None:
    (finding,) = run(make_listing(gtin=None)).findings
    assert (finding.code, finding.severity) == ("identifiers.gtin_missing", "warning")
    assert "gtin_exempt" in finding.message
    assert run(make_listing(gtin=None, gtin_exempt=True)).findings == ()
    assert run(make_listing(brand=None, mpn=None)).findings == ()  # brand: only per channel
    assert run(junk(gtin="  ")).codes() == ("identifiers.gtin_missing",)


def test_amazon_needs_a_gtin_or_an_exemption() -> None:
    (finding,) = run(make_listing(gtin=None), "amazon").findings
    assert (finding.code, finding.severity) == ("identifiers.gtin_required", "error")
    assert "amazon" in (finding.source or "")
    (finding,) = run(make_listing(gtin=None, gtin_exempt=True), "amazon").findings
    assert (finding.code, finding.severity) == ("identifiers.gtin_exemption", "info")
    report = run(make_listing(brand=None), "amazon")
    assert report.codes() == ("identifiers.brand_missing",)
    assert report.warnings[0].field == "brand"


def test_ebay_brand_and_mpn() -> None:
    (finding,) = run(make_listing(mpn=None), "ebay").findings
    assert (finding.code, finding.severity) == ("identifiers.mpn_missing", "warning")
    assert "Does not apply" in finding.message
    assert run(make_listing(mpn="Does not apply"), "ebay").findings == ()
    exempt = make_listing(gtin=None, gtin_exempt=True, mpn=None)
    assert run(exempt, "ebay").findings == ()  # no identifiers exist: "Does not apply"
    assert run(make_listing(gtin=None), "ebay").codes() == ("identifiers.gtin_missing",)
    (finding,) = run(make_listing(brand=None), "ebay").findings
    assert finding.code == "identifiers.brand_missing" and "Unbranded" in finding.message
    assert run(make_listing(brand="Unbranded"), "ebay").findings == ()


@pytest.mark.parametrize("brand", ["Brand New", "100% brand new", "Made in China", "N/A", "***"])
def test_ebay_rejects_placeholder_brands(brand: str) -> None:
    (finding,) = run(make_listing(brand=brand), "ebay").findings
    assert (finding.code, finding.severity) == ("identifiers.brand_invalid", "error")
    assert "Unbranded" in finding.message
    assert run(make_listing(brand=brand)).findings == ()  # an eBay rule only


def test_ebay_used_items_need_no_identifiers() -> None:
    used = make_listing(gtin=None, mpn=None, condition="used_good")
    assert run(used, "ebay").findings == ()
    assert run(make_listing(gtin=None, mpn=None, condition="refurbished"), "ebay").codes() == (
        "identifiers.gtin_missing",
        "identifiers.mpn_missing",
    )


def test_meta_needs_gtin_or_mpn_with_brand() -> None:
    assert run(make_listing(mpn=None, brand=None), "meta").findings == ()  # a GTIN suffices
    assert run(make_listing(gtin=None), "facebook").findings == ()  # MPN + brand suffice
    for listing in (make_listing(gtin=None, mpn=None), make_listing(gtin=None, brand=None)):
        (finding,) = run(listing, "facebook").findings
        assert (finding.code, finding.severity) == ("identifiers.gtin_or_mpn_missing", "warning")
        assert "facebook.com" in (finding.source or "")


@pytest.mark.parametrize(("mpn", "brand"), [("Does not apply", "Acme"), ("X-1", "No brand")])
def test_meta_takes_no_placeholder_for_an_mpn_or_brand(mpn: str, brand: str) -> None:
    (finding,) = run(make_listing(gtin=None, mpn=mpn, brand=brand), "facebook").findings
    assert finding.code == "identifiers.gtin_or_mpn_missing"


def test_every_finding_has_source_field_and_message() -> None:
    cases = [
        (junk(gtin="123"), None),
        (make_listing(gtin=None), None),
        (make_listing(gtin=None, brand=None), "amazon"),
        (make_listing(gtin=None, gtin_exempt=True), "amazon"),
        (make_listing(gtin=None, mpn=None, brand="new"), "ebay"),
        (make_listing(gtin=None, brand=None), "ebay"),
        (make_listing(gtin=None, mpn=None), "facebook"),
    ]
    seen = set()
    for listing, channel in cases:
        for finding in run(listing, channel).findings:
            seen.add(finding.code)
            assert finding.source and finding.source.startswith("http")
            assert finding.field and finding.message.endswith(".")
    assert seen == {
        "identifiers.gtin_invalid",
        "identifiers.gtin_missing",
        "identifiers.gtin_required",
        "identifiers.gtin_exemption",
        "identifiers.brand_missing",
        "identifiers.brand_invalid",
        "identifiers.mpn_missing",
        "identifiers.gtin_or_mpn_missing",
    }
