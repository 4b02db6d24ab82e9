"""The tax rule: point-of-sale VAT collection and de minimis on the date, from the dated facts."""

from __future__ import annotations

from datetime import date
from decimal import Context as DecimalContext
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from xborder.catalog import read_catalog, read_seller
from xborder.compliance import ALL_REGIMES, Context, Rule
from xborder.compliance._lowvalue import Threshold, fmt, limit_in_notes, parse_threshold
from xborder.compliance.rules.tax import RULE, TaxRule
from xborder.errors import RateUnavailableError
from xborder.findings import Finding
from xborder.listing import Listing, Seller
from xborder.localize.channels import channel_rules
from xborder.markets import Market
from xborder.money import Money
from xborder.rates import ExchangeRate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: 1 EUR in each currency: round numbers so every expected amount is easy to check.
PER_EUR = {
    "EUR": "1",
    "USD": "1.25",
    "GBP": "0.8",
    "RON": "5",
    "AUD": "2",
    "NOK": "10",
    "CHF": "1",
    "JPY": "160",
    "CAD": "1.5",
    "CNY": "8",
}


class FixedRates:
    """A test rate source: fixed cross rates through EUR, for any date."""

    name = "fixed-test-rates"

    def __init__(self, per_eur: dict[str, str] | None = None) -> None:
        self.per_eur = {k: Decimal(v) for k, v in (per_eur or PER_EUR).items()}

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        day = on or date(2026, 1, 1)
        if base not in self.per_eur or quote not in self.per_eur:
            raise RateUnavailableError(base, quote, on=on, sources=[self.name], reason="no row")
        with localcontext(DecimalContext(prec=28)):  # as a real source: not the caller's
            value = self.per_eur[quote] / self.per_eur[base]
        return ExchangeRate(base, quote, value, day, "test")


TAX = TaxRule(rates=FixedRates())
IOSS_SELLER = Seller(country="US", regimes=("US",), ioss_number="IM3720012345")
US_SELLER = Seller(country="US", regimes=("US",))


def listing(**changes: Any) -> Listing:
    fields: dict[str, Any] = {
        "sku": "MUG-1",
        "title": "Stoneware mug",
        "price": Money("38.00", "USD"),
        "quantity": 3,
        "category": "home.drinkware",
        "hs_code": "691200",
        "origin_country": "US",
    }
    fields.update(changes)
    return Listing(**fields)


def run(
    country: str,
    on: date,
    item: Listing | None = None,
    *,
    seller: Seller | None = None,
    channel: str | None = None,
    rule: TaxRule = TAX,
) -> list[Finding]:
    market = Market.for_country(country, on=on)
    context = Context(
        listing=item or listing(),
        market=market,
        on=on,
        channel=channel_rules(channel, on=on) if channel else None,
        seller=seller,
        regimes=seller.regimes if seller else ALL_REGIMES,
        language=market.languages[0],
    )
    return list(rule.check(context))


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in findings}


def de_minimis_from_china(country: str, item: Listing) -> str:
    """The ``tax.de_minimis`` message for a Chinese seller's ``item`` on 2026-07-01."""
    return by_code(run(country, date(2026, 7, 1), item, seller=CN_SELLER, rule=RULE))[
        "tax.de_minimis"
    ].message


def test_rule_satisfies_the_protocol() -> None:
    assert isinstance(RULE, Rule)
    assert RULE.name == "tax"
    assert isinstance(RULE, TaxRule)


# -- EU: the 2026-07-01 change ------------------------------------------------------------------


def test_de_before_2026_07_01_duty_relief() -> None:
    found = by_code(run("DE", date(2026, 6, 30), seller=IOSS_SELLER))
    assert set(found) == {"tax.de_minimis", "tax.point_of_sale_collection"}
    de_minimis = found["tax.de_minimis"].message
    assert "USD 38.00 (≈ EUR 30.40 on 2026-06-30)" in de_minimis
    assert "customs duty relief for goods up to EUR 150" in de_minimis
    assert "none is due" in de_minimis
    assert "import VAT/GST has no de minimis since 2021-07-01 (EUR 22 until 2021-06-30)" in (
        de_minimis
    )


def test_de_from_2026_07_01_flat_duty_per_line() -> None:
    found = by_code(run("DE", date(2026, 7, 1), seller=IOSS_SELLER))
    assert set(found) == {
        "tax.de_minimis",
        "tax.flat_duty_per_line",
        "tax.point_of_sale_collection",
    }
    assert "no de minimis since 2026-07-01 (EUR 150 until 2026-06-30)" in (
        found["tax.de_minimis"].message
    )
    flat = found["tax.flat_duty_per_line"]
    assert flat.effective_from == date(2026, 7, 1)
    assert flat.field == "hs_code"
    assert "EUR 3" in flat.message and "until 2028-06-30" in flat.message
    assert "HS 691200" in flat.message
    assert "Unverified" in flat.message


def test_flat_duty_ends_2028_06_30() -> None:
    assert "tax.flat_duty_per_line" in by_code(run("DE", date(2028, 6, 30)))
    assert "tax.flat_duty_per_line" not in by_code(run("DE", date(2028, 7, 1)))


def test_above_eur_150_no_flat_duty_and_import_vat() -> None:
    found = by_code(run("DE", date(2026, 7, 1), listing(price=Money("200.00", "USD"))))
    assert "above the limit (≈ EUR 160.00)" in found["tax.flat_duty_per_line"].message
    assert "normal tariff applies" in found["tax.flat_duty_per_line"].message
    assert "import VAT/GST at 19.0%" in found["tax.import_vat_due"].message
    assert "tax.point_of_sale_collection" not in found


def test_no_rate_in_the_facts_is_not_said_to_be_charged() -> None:
    # The US facts give no VAT rate (null: unknown; their note: no federal VAT/GST).
    message = by_code(run("US", date(2026, 11, 1)))["tax.import_vat_due"].message
    assert "any import VAT/GST (the facts give no rate: No federal VAT/GST" in message
    assert "unknown rate" not in message


def test_ioss_seller_collects_at_sale() -> None:
    finding = by_code(run("DE", date(2026, 7, 1), seller=IOSS_SELLER))[
        "tax.point_of_sale_collection"
    ]
    assert finding.severity == "info"
    assert finding.field == "seller.ioss_number"
    assert "IM3720012345" in finding.message
    assert "clears without import VAT" in finding.message
    assert finding.effective_from == date(2021, 7, 1)


def test_no_ioss_no_marketplace_buyer_pays_at_delivery() -> None:
    finding = by_code(run("DE", date(2026, 7, 1), seller=US_SELLER))["tax.point_of_sale_collection"]
    assert finding.severity == "info"
    assert "buyer pays it to the carrier at delivery" in finding.message


def test_marketplace_collects_as_deemed_supplier() -> None:
    found = run("DE", date(2026, 7, 1), seller=US_SELLER, channel="ebay")
    finding = by_code(found)["tax.point_of_sale_collection"]
    assert "deemed supplier" in finding.message


def test_no_seller_names_the_options_and_assumes_an_import() -> None:
    found = by_code(run("DE", date(2026, 7, 1)))
    assert "taken to be imported from outside the EU" in found["tax.de_minimis"].message
    message = found["tax.point_of_sale_collection"].message
    assert "No seller was given" in message and "IOSS number" in message


def test_intra_eu_and_domestic_sales() -> None:
    fr_seller = Seller(country="FR", regimes=("EU",))
    assert [f.code for f in run("DE", date(2026, 7, 1), seller=fr_seller)] == ["tax.intra_eu_sale"]
    de_seller = Seller(country="DE", regimes=("EU",))
    assert [f.code for f in run("DE", date(2026, 7, 1), seller=de_seller)] == ["tax.domestic_sale"]


# -- national parcel fees -------------------------------------------------------------------------


def test_fr_parcel_fee() -> None:
    finding = by_code(run("FR", date(2026, 7, 1), seller=US_SELLER))["tax.national_parcel_fee"]
    assert "EUR 2" in finding.message and "under EUR 150" in finding.message
    assert finding.effective_from == date(2026, 3, 1)
    assert "Unverified" in finding.message
    assert "tax.national_parcel_fee" not in by_code(run("FR", date(2026, 2, 28)))


def test_ro_parcel_fee_in_ron_with_eur_limit() -> None:
    found = by_code(run("RO", date(2026, 7, 1), seller=US_SELLER))
    assert "RON 25" in found["tax.national_parcel_fee"].message
    assert "(≈ EUR 30.40)" in found["tax.national_parcel_fee"].message
    assert "USD 38.00 (≈ RON 152.00 on 2026-07-01)" in found["tax.de_minimis"].message


def test_it_parcel_fee_unknown_after_the_postponement() -> None:
    message = by_code(run("IT", date(2026, 7, 1)))["tax.national_parcel_fee"].message
    assert "unknown" in message
    assert "EUR 2" in by_code(run("IT", date(2026, 2, 1)))["tax.national_parcel_fee"].message


# -- United States ---------------------------------------------------------------------------------


def test_us_de_minimis_suspended_2025_08_29() -> None:
    cn_seller = Seller(country="CN", regimes=("US",))
    before = by_code(run("US", date(2025, 8, 28), seller=cn_seller))
    assert "relief for goods up to USD 800" in before["tax.de_minimis"].message
    assert "tax.import_vat_due" not in before
    after = by_code(run("US", date(2025, 8, 29), seller=cn_seller))
    message = after["tax.de_minimis"].message
    assert "customs duty has no de minimis since 2025-08-29 (USD 800 until 2025-08-28)" in message
    assert after["tax.de_minimis"].effective_from == date(2025, 8, 29)
    assert "no point-of-sale scheme" in after["tax.import_vat_due"].message


def test_us_chinese_origin_lost_de_minimis_first() -> None:
    on = date(2025, 6, 1)
    cn_goods = by_code(run("US", on, listing(origin_country="CN")))["tax.de_minimis"]
    vn_goods = by_code(run("US", on, listing(origin_country="VN")))["tax.de_minimis"]
    assert "no de minimis since 2025-05-02" in cn_goods.message
    assert "relief for goods up to USD 800" in vn_goods.message


def test_domestic_us_seller() -> None:
    assert [f.code for f in run("US", date(2025, 9, 1), seller=US_SELLER)] == ["tax.domestic_sale"]


# -- other collection schemes ----------------------------------------------------------------------


def test_gb_registered_seller() -> None:
    seller = Seller(country="US", regimes=("US",), vat_registrations={"GB": "GB123456782"})
    finding = by_code(run("GB", date(2026, 7, 1), seller=seller))["tax.point_of_sale_collection"]
    assert finding.severity == "info"
    assert finding.field == "seller.vat_registrations.GB"
    assert "GB123456782" in finding.message


def test_gb_unregistered_direct_seller_must_register() -> None:
    finding = by_code(run("GB", date(2026, 7, 1), seller=US_SELLER))["tax.point_of_sale_collection"]
    assert finding.severity == "warning"
    assert "register" in finding.message
    marketplace = run("GB", date(2026, 7, 1), seller=US_SELLER, channel="amazon")
    assert by_code(marketplace)["tax.point_of_sale_collection"].severity == "info"
    assert by_code(run("GB", date(2026, 7, 1)))["tax.point_of_sale_collection"].severity == "info"


def test_gb_above_135() -> None:
    found = by_code(run("GB", date(2026, 7, 1), listing(price=Money("250.00", "USD"))))
    assert "tax.import_vat_due" in found  # USD 250 = GBP 160 at the test rates
    assert "this price is above" in found["tax.de_minimis"].message


def test_au_lvig_depends_on_registration() -> None:
    finding = by_code(run("AU", date(2026, 7, 1), seller=US_SELLER))["tax.point_of_sale_collection"]
    assert finding.severity == "info"
    assert "AUD 75,000" in finding.message


def test_no_voec_strict_limit() -> None:
    # NOK 3,000 is "< NOK 3,000 per item": 300 USD = 2,400 NOK is inside, 375 USD = 3,000 NOK is not
    inside = by_code(run("NO", date(2026, 7, 1), listing(price=Money("300.00", "USD"))))
    assert "tax.point_of_sale_collection" in inside
    at_limit = by_code(run("NO", date(2026, 7, 1), listing(price=Money("375.00", "USD"))))
    assert "tax.import_vat_due" in at_limit


def test_ch_unknown_duty_de_minimis_and_tax_amount_limit() -> None:
    found = run("CH", date(2026, 7, 1), seller=US_SELLER)
    codes = [f.code for f in found]
    assert "tax.threshold_unknown" in codes
    unknown = by_code(found)["tax.threshold_unknown"].message
    assert "does not assume there is none" in unknown
    assert "limit on the tax amount" in by_code(found)["tax.de_minimis"].message


# -- unknowns are never zero -----------------------------------------------------------------------


def test_price_that_cannot_be_converted_is_unknown_not_zero() -> None:
    rule = TaxRule(rates=FixedRates({"EUR": "1", "GBP": "0.8"}))  # no USD row
    found = run("DE", date(2026, 6, 30), rule=rule, seller=US_SELLER)
    unknown = [f.message for f in found if f.code == "tax.threshold_unknown"]
    assert unknown, found
    assert any("If your price in USD is above EUR 150" in m for m in unknown)
    assert not any("none is due" in f.message for f in found)


def test_market_without_facts() -> None:
    (finding,) = run("KE", date(2026, 7, 1))
    assert finding.code == "tax.threshold_unknown"
    assert "no sourced tax facts" in finding.message


def test_every_finding_is_plain_and_placed() -> None:
    for country in ("DE", "FR", "RO", "GB", "US", "AU", "NO", "CH", "JP", "CA", "SG", "MY"):
        for finding in run(country, date(2026, 7, 1)):
            assert finding.code.startswith("tax.")
            assert finding.severity == "info"
            assert finding.field
            if finding.code != "tax.threshold_unknown":
                assert finding.source and finding.source.startswith("http")


def test_default_rates_are_the_bundled_snapshot() -> None:
    # Far past the snapshot's last day: max_age=None, so no StaleRatesWarning (warnings fail).
    found = by_code(run("DE", date(2027, 3, 1), rule=TaxRule(), seller=IOSS_SELLER))
    assert "≈ EUR" in found["tax.de_minimis"].message


# -- the sample catalog ----------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["DE", "FR", "GB", "JP", "US"])
def test_sample_catalog_tax_is_info(country: str) -> None:
    seller = read_seller(EXAMPLES / "seller.json")
    items = list(read_catalog(EXAMPLES / "catalog.csv"))
    for who in (seller, None):
        found = [f for item in items for f in run(country, date(2026, 7, 1), item, seller=who)]
        assert {f.severity for f in found} == {"info"}


# -- the threshold parser --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EUR 150 intrinsic value per consignment", Threshold(Decimal(150), "EUR")),
        ("GBP 135 per consignment", Threshold(Decimal(135), "GBP")),
        ("< NOK 3,000 per item (not per invoice)", Threshold(Decimal(3000), "NOK", strict=True)),
        (
            "AUD 1,000 customs value per item; registration at AUD 75,000 GST turnover",
            Threshold(Decimal(1000), "AUD"),
        ),
        (
            "RMB 5,000 per transaction; RMB 26,000 per person per year",
            Threshold(Decimal(5000), "CNY"),
        ),
        ("CHF 100,000 annual turnover from small consignments", None),
        (None, None),
        ("JPY", None),
    ],
)
def test_parse_threshold(text: str | None, expected: Threshold | None) -> None:
    assert parse_threshold(text) == expected


def test_limit_in_notes() -> None:
    assert limit_in_notes("EUR 2 per article in consignments < EUR 150 from outside") == Threshold(
        Decimal(150), "EUR", strict=True
    )
    assert limit_in_notes("EUR 3 per item, intrinsic value <= EUR 150") == Threshold(
        Decimal(150), "EUR"
    )
    assert limit_in_notes("no comparison here, EUR 150") is None


def test_threshold_admits() -> None:
    assert Threshold(Decimal(150), "EUR").admits(Money("150", "EUR"))
    assert not Threshold(Decimal(150), "EUR", strict=True).admits(Money("150", "EUR"))
    with pytest.raises(ValueError, match="compare in EUR"):
        Threshold(Decimal(150), "EUR").admits(Money("1", "USD"))


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money("150", "EUR"), "EUR 150"),
        (Money("3000", "NOK"), "NOK 3,000"),
        (Money("38.00", "USD"), "USD 38.00"),
        (Money("30.4", "EUR"), "EUR 30.40"),
        (Money("6183.2", "JPY"), "JPY 6,183"),
    ],
)
def test_fmt(money: Money, text: str) -> None:
    assert fmt(money) == text


# -- unknowns stay unknown (null in the facts is never "none") ---------------------------------

CN_SELLER = Seller(country="CN", regimes=("US",))


def test_an_unknown_vat_de_minimis_does_not_say_the_tax_is_charged() -> None:
    # IL: the VAT/GST de minimis of 2026-02-23..24 is null; USD 150 before, USD 130 after.
    item = listing(price=Money("100.00", "USD"), origin_country="CN")
    found = by_code(run("IL", date(2026, 2, 24), item, seller=CN_SELLER, rule=RULE))
    assert "tax.threshold_unknown" in found
    message = found["tax.import_vat_due"].message
    assert "unless a VAT/GST de minimis relieves this parcel" in message
    assert "is unknown" in message
    # Known to be above the limit the next day: charged, and said plainly.
    after = by_code(
        run(
            "IL",
            date(2026, 7, 1),
            listing(price=Money("140.00", "USD")),
            seller=CN_SELLER,
            rule=RULE,
        )
    )
    assert "unless a VAT/GST de minimis" not in after["tax.import_vat_due"].message
    assert "import VAT/GST at 18.0% is charged at import" in after["tax.import_vat_due"].message


def test_a_rate_of_zero_charges_nothing() -> None:
    found = by_code(run("HK", date(2026, 7, 1), seller=CN_SELLER, rule=RULE))
    message = found["tax.import_vat_due"].message
    assert "no import VAT/GST is charged (the facts give a rate of 0.0%)" in message
    assert "is charged at import" not in message


def test_no_rate_in_the_facts_claims_no_vat_is_due() -> None:
    # US: "No federal VAT/GST" (vat_standard_rate null); the VAT de minimis ended 2025-08-29.
    found = by_code(run("US", date(2026, 7, 1), seller=CN_SELLER, rule=RULE))
    message = found["tax.de_minimis"].message
    assert "any that applies is due from the first unit (the facts give no rate)" in message
    assert "import VAT/GST has no de minimis since 2025-08-29" in message


def test_a_null_collection_threshold_is_not_shown_as_none() -> None:
    # TH: low_value_tax_collection.threshold is null.
    found = by_code(run("TH", date(2026, 7, 1), seller=CN_SELLER, rule=RULE))
    message = found["tax.point_of_sale_collection"].message
    assert "None" not in message
    assert "(limit unknown)" in message and "The facts give no threshold" in message


def test_a_registered_swiss_seller_charges_vat_at_sale() -> None:
    # CH: the mail-order rule's limit is a turnover test, not an order value; a seller
    # registered for Swiss VAT sells as a domestic supplier, a marketplace as the deemed one.
    item = listing(price=Money("40.00", "CHF"), origin_country="CN")
    registered = Seller(
        country="CN", regimes=("US",), vat_registrations={"CH": "CHE-123.456.789 MWST"}
    )
    on = date(2026, 7, 1)
    found = by_code(run("CH", on, item, seller=registered, rule=RULE))[
        "tax.point_of_sale_collection"
    ]
    assert "covers this order: VAT/GST at 8.1% is charged at sale" in found.message
    assert "CHE-123.456.789 MWST" in found.message
    assert found.field == "seller.vat_registrations.CH"
    found = by_code(run("CH", on, item, seller=CN_SELLER, channel="ebay", rule=RULE))
    assert "the marketplace collects it" in found["tax.point_of_sale_collection"].message
    found = by_code(run("CH", on, item, seller=CN_SELLER, rule=RULE))
    assert "cannot tell whether it applies" in found["tax.point_of_sale_collection"].message


def test_the_first_comparison_written_with_the_limit_decides_if_it_is_strict() -> None:
    # MX duty_de_minimis: "<= USD 50 no duty/VAT" ... later "the <USD 50 exemption was
    # removed" (for other origins): inclusive. NO: "< NOK 3,000": strict.
    item = listing(price=Money("50", "USD"), origin_country="US")
    message = by_code(run("MX", date(2026, 7, 1), item, seller=CN_SELLER, rule=RULE))[
        "tax.de_minimis"
    ].message
    assert "customs duty relief for goods up to USD 50, so none is due" in message
    assert "under USD 50" not in message
    norway = by_code(
        run(
            "NO", date(2026, 7, 1), listing(price=Money("3000", "NOK")), seller=CN_SELLER, rule=RULE
        )
    )["tax.de_minimis"].message
    assert "customs duty relief for goods under NOK 3,000" in norway
    assert "and this price is above" in norway


def test_a_de_minimis_on_goods_and_shipping_is_not_decided_by_the_price_alone() -> None:
    # SA: "total value (goods + shipping) below SAR 1,000"; check() knows no shipping.
    message = de_minimis_from_china(
        "SA", listing(price=Money("950.00", "SAR"), origin_country="CN")
    )
    assert "customs duty relief for goods and shipping together under SAR 1,000" in message
    assert "unless your shipping charge takes the total to the limit" in message


def test_the_norwegian_duty_relief_says_it_is_for_voec_sales_only() -> None:
    message = de_minimis_from_china("NO", listing(price=Money("2000", "NOK"), origin_country="CN"))
    assert "(only for sales under VOEC: other parcels pay duty from the first unit)" in message
    # Elsewhere no such condition is added (GB's relief is not tied to its scheme).
    gb = by_code(run("GB", date(2026, 7, 1), seller=CN_SELLER, rule=RULE))["tax.de_minimis"]
    assert "only for sales under" not in gb.message


def test_mexico_relieves_us_and_canadian_goods_only() -> None:
    on = date(2026, 7, 1)
    us = by_code(run("MX", on, listing(price=Money("40", "USD")), seller=CN_SELLER, rule=RULE))
    assert (
        "customs duty relief for goods up to USD 50, so none is due" in us["tax.de_minimis"].message
    )
    item = listing(price=Money("40", "USD"), origin_country="CN")
    cn = by_code(run("MX", on, item, seller=CN_SELLER, rule=RULE))["tax.de_minimis"]
    assert "customs duty has no de minimis since 2025-01-01: due from the first unit" in cn.message
    # Before the facts' USMCA band (2025-08-15) its value is not recorded: unknown, not none.
    early = run(
        "MX", date(2025, 6, 1), listing(price=Money("40", "USD")), seller=CN_SELLER, rule=RULE
    )
    assert [f.code for f in early].count("tax.threshold_unknown") == 2


def test_a_buyers_annual_quota_is_not_a_seller_registration_test() -> None:
    # CN CBEC: "RMB 5,000 per transaction; RMB 26,000 per person per year" (the buyer's).
    item = listing(price=Money("400", "CNY"))
    found = by_code(run("CN", date(2026, 7, 1), item, seller=US_SELLER, rule=RULE))
    message = found["tax.point_of_sale_collection"].message
    assert "whether you must register" not in message
    assert "no marketplace was named" in message


def test_a_value_that_rounds_to_the_limit_is_shown_closer() -> None:
    # USD 170.75 is EUR 150.0044 at these rates (1 EUR = 1.1383 USD): above the EUR 150 flat
    # duty and IOSS limits, which "≈ EUR 150.00" would contradict.
    rates = FixedRates({"EUR": "1", "USD": "1.1383"})
    item = listing(price=Money("170.75", "USD"), origin_country="CN")
    found = by_code(run("DE", date(2026, 7, 1), item, seller=CN_SELLER, rule=TaxRule(rates=rates)))
    assert (
        "The price is above the limit (≈ EUR 150.0044)" in found["tax.flat_duty_per_line"].message
    )
    assert "the price is above the limit (≈ EUR 150.0044)" in found["tax.import_vat_due"].message
    with localcontext(DecimalContext(prec=4)):  # the caller's decimal context changes nothing
        again = run("DE", date(2026, 7, 1), item, seller=CN_SELLER, rule=TaxRule(rates=rates))
    assert by_code(again) == found
    below = listing(price=Money("170.00", "USD"), origin_country="CN")
    found = by_code(run("DE", date(2026, 7, 1), below, seller=CN_SELLER, rule=TaxRule(rates=rates)))
    assert "within the limit (≈ EUR 149.35)" in found["tax.flat_duty_per_line"].message
