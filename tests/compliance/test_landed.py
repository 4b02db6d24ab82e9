"""Landed cost: goods, shipping, duty, import VAT and national fees, dated, with who pays."""

from __future__ import annotations

import re
from datetime import date
from decimal import Context as DecimalContext
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from xborder.compliance.landed import (
    DutyRate,
    DutyRateSource,
    LandedCost,
    TableDutyRates,
    landed_cost,
)
from xborder.errors import FloatAmountError, RateUnavailableError
from xborder.listing import Listing, Seller
from xborder.markets import Market
from xborder.money import Money
from xborder.rates import ExchangeRate

#: 1 EUR in each currency: 38 USD = 30.40 EUR = 152.00 RON.
PER_EUR = {"EUR": "1", "USD": "1.25", "GBP": "0.8", "RON": "5", "CAD": "1.5", "CHF": "1"}


class FixedRates:
    """A test rate source: fixed cross rates through EUR, for any date."""

    name = "fixed-test-rates"

    def __init__(self, per_eur: dict[str, str] | None = None) -> None:
        self.per_eur = {k: Decimal(v) for k, v in (per_eur or PER_EUR).items()}

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        day = on or date(2026, 1, 1)
        if base not in self.per_eur or quote not in self.per_eur:
            raise RateUnavailableError(base, quote, on=on, sources=[self.name], reason="no row")
        return ExchangeRate(base, quote, self.per_eur[quote] / self.per_eur[base], day, "test")


RATES = FixedRates()
TARIFF = TableDutyRates({"69": "5", "6912": Decimal("6")}, source="test tariff")
IOSS_SELLER = Seller(country="US", regimes=("US",), ioss_number="IM3720012345")
US_SELLER = Seller(country="US", regimes=("US",))
CN_SELLER = Seller(country="CN", regimes=("US",))
BEFORE, AFTER = date(2026, 6, 30), date(2026, 7, 1)


def mug(**changes: Any) -> Listing:
    fields: dict[str, Any] = {
        "sku": "MUG-1",
        "title": "Stoneware mug",
        "price": Money("38.00", "USD"),
        "quantity": 3,
        "hs_code": "691200",
        "origin_country": "US",
    }
    fields.update(changes)
    return Listing(**fields)


def cost(country: str, on: date, item: Listing | None = None, **kw: Any) -> LandedCost:
    kw.setdefault("shipping", Money("10.00", "EUR"))
    kw.setdefault("rates", RATES)
    return landed_cost(item or mug(), Market.for_country(country, on=on), on=on, **kw)


def amounts(result: LandedCost) -> dict[str, str | None]:
    return {line.kind: None if line.amount is None else str(line.amount) for line in result.lines}


def payers(result: LandedCost) -> dict[str, str]:
    return {line.kind: line.payer for line in result.lines}


# -- Germany around 2026-07-01 --------------------------------------------------------------------


def test_de_2026_06_30_dap_duty_relief() -> None:
    result = cost("DE", BEFORE)
    assert amounts(result) == {
        "goods": "30.40 EUR",
        "shipping": "10.00 EUR",
        "duty": "0.00 EUR",
        "import_vat": "7.68 EUR",  # 19 % of 40.40
    }
    assert result.total == Money("48.08", "EUR")
    assert result.known_total == result.total
    assert payers(result)["import_vat"] == "buyer_at_delivery"
    assert "EUR 150" in result.line("duty").basis  # type: ignore[union-attr]


def test_de_2026_07_01_dap_flat_duty() -> None:
    result = cost("DE", AFTER)
    assert amounts(result) == {
        "goods": "30.40 EUR",
        "shipping": "10.00 EUR",
        "flat_duty": "3.00 EUR",
        "import_vat": "8.25 EUR",  # 19 % of 43.40 = 8.246
    }
    assert result.total == Money("51.65", "EUR")
    flat = result.line("flat_duty")
    assert flat is not None
    assert flat.effective_from == date(2026, 7, 1)
    assert flat.payer == "buyer_at_delivery"
    assert any("bakermckenzie" in url for url in flat.source)
    assert any("Unverified (flat duty)" in note for note in result.notes)


def test_ddp_moves_import_charges_to_the_seller() -> None:
    dap, ddp = cost("DE", AFTER), cost("DE", AFTER, incoterm="DDP")
    assert amounts(dap) == amounts(ddp)
    assert payers(ddp) == {
        "goods": "buyer_at_sale",
        "shipping": "buyer_at_sale",
        "flat_duty": "seller",
        "import_vat": "seller",
    }
    assert dap.paid_by("buyer_at_delivery") == Money("11.25", "EUR")
    assert dap.paid_by("seller") == Money("0.00", "EUR")
    assert ddp.paid_by("seller") == Money("11.25", "EUR")
    assert ddp.paid_by("buyer_at_sale") == Money("40.40", "EUR")
    assert ddp.incoterm == "DDP"


@pytest.mark.parametrize(
    ("on", "duty", "total"), [(BEFORE, "0.00", "48.08"), (AFTER, "3.00", "51.08")]
)
def test_ioss_vat_is_paid_at_sale(on: date, duty: str, total: str) -> None:
    result = cost("DE", on, seller=IOSS_SELLER)
    vat = result.line("vat_at_sale")
    assert vat is not None and result.line("import_vat") is None
    assert vat.amount == Money("7.68", "EUR")  # 19 % of goods + shipping, duty not in the base
    assert vat.payer == "buyer_at_sale"
    assert "IM3720012345" in vat.basis
    assert vat.effective_from == date(2021, 7, 1)
    duty_line = result.line("duty") or result.line("flat_duty")
    assert duty_line is not None and duty_line.amount == Money(duty, "EUR")
    assert result.total == Money(total, "EUR")


def test_marketplace_collects_vat_at_sale() -> None:
    vat = cost("DE", AFTER, seller=US_SELLER, marketplace=True).line("vat_at_sale")
    assert vat is not None and "deemed supplier" in vat.basis


# -- unknown stays unknown -------------------------------------------------------------------------


def test_duty_unknown_without_rates_after_the_flat_duty() -> None:
    result = cost("DE", date(2028, 7, 1))
    assert amounts(result)["duty"] is None
    assert amounts(result)["import_vat"] is None  # its base includes the duty
    assert result.total is None
    assert result.known_total == Money("40.40", "EUR")
    assert result.unknown == ("duty", "import_vat")
    assert "no duty_rates given" in result.line("duty").basis  # type: ignore[union-attr]


def test_duty_from_a_table_on_the_customs_value() -> None:
    result = cost("DE", date(2028, 7, 1), duty_rates=TARIFF)
    assert amounts(result)["duty"] == "2.42 EUR"  # 6 % of CIF 40.40 = 2.424
    assert amounts(result)["import_vat"] == "8.14 EUR"  # 19 % of 42.824 = 8.13656
    assert result.total == Money("50.96", "EUR")
    duty = result.line("duty")
    assert duty is not None and duty.source == "test tariff (HS 6912)"


def test_no_hs_code_duty_unknown() -> None:
    result = cost("DE", date(2028, 7, 1), mug(hs_code=None), duty_rates=TARIFF)
    assert "no HS code" in result.line("duty").basis  # type: ignore[union-attr]
    assert result.total is None


def test_shipping_unknown() -> None:
    result = cost("DE", BEFORE, shipping=None)
    assert amounts(result)["shipping"] is None
    assert amounts(result)["import_vat"] is None
    assert result.total is None
    assert result.known_total == Money("30.40", "EUR")


def test_price_that_cannot_be_converted() -> None:
    result = cost("DE", AFTER, rates=FixedRates({"EUR": "1"}))
    assert amounts(result)["goods"] is None
    assert result.total is None


# -- United States ---------------------------------------------------------------------------------


def test_us_de_minimis_2025_08_28_vs_08_29() -> None:
    ship = Money("10.00", "USD")
    before = cost("US", date(2025, 8, 28), seller=CN_SELLER, shipping=ship, duty_rates=TARIFF)
    assert amounts(before) == {
        "goods": "38.00 USD",
        "shipping": "10.00 USD",
        "duty": "0.00 USD",
        "import_vat": "0.00 USD",
    }
    assert before.total == Money("48.00", "USD")
    after = cost("US", date(2025, 8, 29), seller=CN_SELLER, shipping=ship, duty_rates=TARIFF)
    assert amounts(after)["duty"] == "2.28 USD"  # 6 % of the goods value (not CIF outside the EU)
    assert amounts(after)["import_vat"] is None  # the facts give no US VAT rate: unknown
    assert after.total is None
    assert after.known_total == Money("50.28", "USD")


def test_us_chinese_origin_before_all_countries() -> None:
    on, ship = date(2025, 6, 1), Money("10.00", "USD")
    cn = cost("US", on, mug(origin_country="CN"), shipping=ship, duty_rates=TARIFF)
    vn = cost("US", on, mug(origin_country="VN"), shipping=ship, duty_rates=TARIFF)
    assert amounts(cn)["duty"] == "2.28 USD"
    assert amounts(vn)["duty"] == "0.00 USD"


# -- national fees and conversion ------------------------------------------------------------------


def test_fr_parcel_fee() -> None:
    result = cost("FR", AFTER, seller=US_SELLER)
    assert amounts(result)["parcel_fee"] == "2.00 EUR"
    assert amounts(result)["import_vat"] == "8.68 EUR"  # 20 % of 43.40; the fee is not in the base
    assert result.total == Money("54.08", "EUR")
    fee = result.line("parcel_fee")
    assert fee is not None and fee.effective_from == date(2026, 3, 1)
    assert fee.payer == "buyer_at_delivery"
    assert cost("FR", AFTER, seller=IOSS_SELLER).line("parcel_fee").payer == "seller"  # type: ignore[union-attr]
    assert cost("FR", date(2026, 2, 28)).line("parcel_fee") is None


def test_ro_lines_in_ron() -> None:
    result = cost("RO", AFTER, seller=US_SELLER)
    assert amounts(result) == {
        "goods": "152.00 RON",
        "shipping": "50.00 RON",
        "flat_duty": "15.00 RON",  # EUR 3 at 5 RON
        "import_vat": "45.57 RON",  # 21 % of 217
        "parcel_fee": "25.00 RON",
    }
    assert result.total == Money("287.57", "RON")
    assert result.currency == "RON"


def test_the_callers_decimal_context_changes_nothing() -> None:
    expected = cost("RO", AFTER, seller=US_SELLER)
    with localcontext(DecimalContext(prec=3)):  # 287.57 has five digits
        result = cost("RO", AFTER, seller=US_SELLER)
    assert amounts(result) == amounts(expected)
    assert result.total == Money("287.57", "RON")


def test_it_fee_unknown_makes_the_total_unknown() -> None:
    result = cost("IT", AFTER, seller=US_SELLER)
    assert amounts(result)["parcel_fee"] is None
    assert result.total is None
    assert any("Unverified (parcel fee)" in note for note in result.notes)


def test_price_in_the_market_currency_is_used_as_given() -> None:
    result = cost("DE", BEFORE, price=Money("33.00", "EUR"))
    goods = result.line("goods")
    assert goods is not None and goods.amount == Money("33.00", "EUR")
    assert "as given" in goods.basis


def test_default_rates_bundled() -> None:
    market = Market.for_country("DE", on=AFTER)
    result = landed_cost(mug(), market, shipping=Money("12.00", "EUR"))
    assert result.on == AFTER
    assert amounts(result)["goods"] == "33.38 EUR"
    assert "as of 2026-07-01" in result.line("goods").basis  # type: ignore[union-attr]


def test_on_overrides_the_market_date() -> None:
    market = Market.for_country("DE", on=BEFORE)
    result = landed_cost(mug(), market, on=AFTER, shipping=Money("0", "EUR"), rates=RATES)
    assert result.line("flat_duty") is not None


# -- other markets ---------------------------------------------------------------------------------


def test_half_up_rounding_at_the_end() -> None:
    # CAD 22.50 is above the CAD 20 de minimis; 5 % GST of 22.50 = 1.125 -> 1.13 (half-even: 1.12)
    zero = TableDutyRates({"6912": "0"}, source="test")
    result = cost(
        "CA", AFTER, price=Money("22.50", "CAD"), shipping=Money("0", "CAD"), duty_rates=zero
    )
    assert amounts(result)["import_vat"] == "1.13 CAD"
    assert result.total == Money("23.63", "CAD")


@pytest.mark.parametrize(("price", "vat"), [("30", "0.00 CHF"), ("100", "8.91 CHF")])
def test_ch_tax_amount_de_minimis(price: str, vat: str) -> None:
    zero = TableDutyRates({"6912": "0"}, source="test")
    result = cost(
        "CH", AFTER, price=Money(price, "CHF"), shipping=Money("10", "CHF"), duty_rates=zero
    )
    assert amounts(result)["import_vat"] == vat  # 8.1 % of 40 = 3.24 <= CHF 5: not levied
    assert any("Duty de minimis unknown" in note for note in result.notes)


def test_gb_unregistered_seller_must_charge_vat_at_sale() -> None:
    result = cost("GB", AFTER, seller=US_SELLER, shipping=Money("5", "GBP"))
    vat = result.line("vat_at_sale")
    assert vat is not None and vat.amount == Money("5.86", "GBP")  # 20 % of 24.32 + 5
    assert "register" in vat.basis
    assert amounts(result)["duty"] == "0.00 GBP"


def test_domestic_sale_has_no_import_lines() -> None:
    result = cost("DE", AFTER, seller=Seller(country="DE", regimes=("EU",)))
    assert [line.kind for line in result.lines] == ["goods", "shipping"]
    assert any("No import" in note for note in result.notes)


# -- duty rate sources -----------------------------------------------------------------------------


def test_table_longest_prefix() -> None:
    assert isinstance(TARIFF, DutyRateSource)
    rate = TARIFF.rate("691200", "US", "DE", on=AFTER)
    assert rate == DutyRate(Decimal("6"), "test tariff (HS 6912)", AFTER)
    assert TARIFF.rate("6913", "US", "DE", on=AFTER).percent == Decimal("5")  # type: ignore[union-attr]
    assert TARIFF.rate("420221", "US", "DE", on=AFTER) is None


def test_table_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="HS prefix"):
        TableDutyRates({"69a": "1"}, source="x")
    with pytest.raises(ValueError, match="source"):
        TableDutyRates({"69": "1"}, source=" ")
    with pytest.raises(ValueError, match="negative"):
        DutyRate(Decimal("-1"), "x", AFTER)
    with pytest.raises(FloatAmountError):
        DutyRate(1.5, "x", AFTER)  # type: ignore[arg-type]


def test_incoterm_checked() -> None:
    with pytest.raises(ValueError, match="incoterm"):
        cost("DE", AFTER, incoterm="EXW")


def test_python_blocks_in_the_docs_run() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "compliance-gpsr-epr-tax.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    root = doc.parents[1]
    for n, code in enumerate(blocks):
        code = code.replace('"examples/', f'"{root.as_posix()}/examples/')
        exec(compile(code, f"{doc.name}[{n}]", "exec"), {"__name__": "docs"})


def test_a_price_exactly_at_a_foreign_currency_threshold_is_within_it() -> None:
    # KR: "Personal-use items <= USD 150 ... are free of duty and VAT". USD 150 in KRW and
    # back comes out a hair above USD 150 at these rates; the price as given is compared.
    rates = FixedRates({"EUR": "1", "USD": "1.17", "KRW": "1500.7"})
    item = mug(price=Money("150.00", "USD"), origin_country="CN")
    on = date(2026, 7, 1)
    result = cost("KR", on, item, shipping=Money("0", "USD"), rates=rates, duty_rates=TARIFF)
    assert amounts(result)["duty"] == "0 KRW"
    assert amounts(result)["import_vat"] == "0 KRW"
    over = mug(price=Money("150.01", "USD"), origin_country="CN")
    result = cost("KR", on, over, shipping=Money("0", "USD"), rates=rates, duty_rates=TARIFF)
    assert amounts(result)["duty"] not in (None, "0 KRW")


def test_a_registered_swiss_seller_charges_vat_at_sale_not_the_chf_5_waiver() -> None:
    # CH tax_de_minimis: "Not available where the seller is registered under the mail-order
    # rule"; such a seller's shipments are domestic supplies: 8.1% on goods and shipping.
    registered = Seller(
        country="CN", regimes=("US",), vat_registrations={"CH": "CHE-123.456.789 MWST"}
    )
    item = mug(price=Money("40.00", "CHF"), origin_country="CN")
    result = cost(
        "CH", AFTER, item, shipping=Money("10.00", "CHF"), seller=registered, duty_rates=TARIFF
    )
    assert amounts(result)["vat_at_sale"] == "4.05 CHF"
    assert "import_vat" not in amounts(result)
    assert payers(result)["vat_at_sale"] == "buyer_at_sale"


def test_a_vat_rate_of_zero_is_no_vat_and_an_unknown_rate_is_not_printed() -> None:
    hk = cost(
        "HK", AFTER, shipping=Money("10.00", "USD"), seller=CN_SELLER, duty_rates=TARIFF, rates=None
    )
    (line,) = [x for x in hk.lines if x.kind == "import_vat"]
    assert line.amount is not None and line.amount.amount == 0
    assert "rate of 0%" in line.basis
    br = cost(
        "BR",
        AFTER,
        shipping=Money("10.00", "USD"),
        seller=CN_SELLER,
        marketplace=True,
        duty_rates=TARIFF,
        rates=None,
    )
    (line,) = [x for x in br.lines if x.kind == "vat_at_sale"]
    assert line.amount is None
    assert "None" not in line.basis and "unknown" in line.basis


def test_a_de_minimis_on_goods_and_shipping_counts_the_shipping() -> None:
    # SA: "Personal shipments with total value (goods + shipping) below SAR 1,000 are exempt".
    item = mug(price=Money("950.00", "SAR"), origin_country="CN")
    above = cost(
        "SA", AFTER, item, shipping=Money("100", "SAR"), seller=CN_SELLER, duty_rates=TARIFF
    )
    assert amounts(above)["duty"] == "63.00 SAR"  # 6% of goods + shipping (1,050)
    assert amounts(above)["import_vat"] == "166.95 SAR"  # 15% of 1,050 + 63
    within = cost(
        "SA", AFTER, item, shipping=Money("10", "SAR"), seller=CN_SELLER, duty_rates=TARIFF
    )
    assert amounts(within)["duty"] == "0.00 SAR"
    assert "goods and shipping together under SAR 1,000" in within.line("duty").basis
    unknown = cost("SA", AFTER, item, shipping=None, seller=CN_SELLER, duty_rates=TARIFF)
    assert amounts(unknown)["duty"] is None and unknown.total is None
    # IL: "goods value excl. shipping": the goods alone.
    il = mug(price=Money("450.00", "USD"), origin_country="CN")
    result = cost(
        "IL",
        AFTER,
        il,
        shipping=Money("100", "USD"),
        seller=CN_SELLER,
        duty_rates=TARIFF,
        rates=None,
    )
    assert amounts(result)["duty"] == f"0.00 {result.currency}"


def test_the_norwegian_duty_relief_is_for_voec_sales_only() -> None:
    # NO: "Goods sold through VOEC-registered sellers/marketplaces with item value < NOK 3,000
    # are exempt from customs duty. Non-VOEC parcels: ... duty and VAT from the first krone."
    item = mug(price=Money("2000", "NOK"), origin_country="CN")
    ship = Money("100", "NOK")
    plain = cost("NO", AFTER, item, shipping=ship, seller=CN_SELLER, duty_rates=TARIFF)
    assert amounts(plain)["duty"] == "120.00 NOK"  # 6% of 2,000
    assert amounts(plain)["import_vat"] == "555.00 NOK"  # 25% of 2,000 + 100 + 120
    assert any("only for sales under VOEC" in note for note in plain.notes)
    voec = Seller(country="CN", regimes=("US",), vat_registrations={"NO": "VOEC-2001234"})
    registered = cost("NO", AFTER, item, shipping=ship, seller=voec, duty_rates=TARIFF)
    assert amounts(registered)["duty"] == "0.00 NOK"
    assert amounts(registered)["vat_at_sale"] == "525.00 NOK"  # 25% of 2,000 + 100
    on_a_marketplace = cost(
        "NO", AFTER, item, shipping=ship, seller=CN_SELLER, duty_rates=TARIFF, marketplace=True
    )
    assert amounts(on_a_marketplace)["duty"] == "0.00 NOK"


def test_an_unknown_duty_de_minimis_leaves_a_positive_duty_unknown() -> None:
    # CH duty_de_minimis: "Not determined" (null). A tariff rate alone would assume no relief.
    item = mug(price=Money("40.00", "CHF"), origin_country="CN")
    result = cost("CH", AFTER, item, shipping=Money("10", "CHF"), duty_rates=TARIFF)
    duty = result.line("duty")
    assert duty.amount is None and "unless a duty de minimis relieves it" in duty.basis
    assert result.total is None
    # At a rate of 0 the relief does not matter: the duty is zero.
    zero = TableDutyRates({"6912": "0"}, source="test")
    result = cost("CH", AFTER, item, shipping=Money("10", "CHF"), duty_rates=zero)
    assert amounts(result)["duty"] == "0.00 CHF"


def test_mexico_keeps_the_usd_50_band_for_us_and_canadian_goods_only() -> None:
    # MX: "Only for goods from the US or Canada via registered courier (USMCA): <= USD 50 no
    # duty/VAT ... Non-FTA origins (e.g. China): no threshold".
    ship = Money("5", "USD")
    for origin in ("US", "CA"):
        item = mug(price=Money("40", "USD"), origin_country=origin)
        result = cost("MX", AFTER, item, shipping=ship, duty_rates=TARIFF, rates=None)
        assert amounts(result)["duty"] == "0.00 MXN"
        assert amounts(result)["import_vat"] == "0.00 MXN"
    chinese = mug(price=Money("40", "USD"), origin_country="CN")
    result = cost("MX", AFTER, chinese, shipping=ship, duty_rates=TARIFF, rates=None)
    assert result.line("duty").amount not in (None, Money("0", "MXN"))
    assert result.line("import_vat").amount not in (None, Money("0", "MXN"))
