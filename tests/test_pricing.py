from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder import (
    Ending,
    ExchangeRate,
    FloatAmountError,
    Market,
    Money,
    PricingError,
    PricingPolicy,
    RateUnavailableError,
    quote,
)
from xborder.money import currency_digits
from xborder.pricing import policy_floor

ON = date(2026, 10, 30)


class FixedRates:
    """A rate source with a fixed table (1 base = value quote), for tests."""

    name = "fixed"

    def __init__(self, table: dict[tuple[str, str], str]) -> None:
        self.table = {k: Decimal(v) for k, v in table.items()}

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        if (base, quote) in self.table:
            return ExchangeRate(base, quote, self.table[base, quote], ON, "test table")
        if (quote, base) in self.table:
            return ExchangeRate(base, quote, 1 / self.table[quote, base], ON, "test table")
        raise RateUnavailableError(base, quote, on=on, sources=[self.name])


RATES = FixedRates(
    {
        ("USD", "EUR"): "0.9",
        ("USD", "JPY"): "150",
        ("USD", "GBP"): "0.8",
        ("USD", "KWD"): "0.3071",
        ("USD", "CHF"): "0.8",
        ("USD", "HUF"): "330",
    }
)


def q(amount: str, market: str | Market = "DE", policy: PricingPolicy | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return quote(Money(amount, "USD"), market, rates=RATES, policy=policy, on=ON, **kw)  # type: ignore[arg-type]


def test_convert_tax_round() -> None:
    result = q("24.00")
    # 24 × 0.9 = 21.6; × 1.19 (DE VAT) = 25.704 → 25.70
    assert result.price == Money("25.70", "EUR")
    assert [s.kind for s in result.steps] == ["source", "converted", "tax", "rounded"]
    assert result.rate is not None and result.rate.value == Decimal("0.9")
    assert result.vat_rate == Decimal("19.0") and result.tax_included
    assert result.on == ON and result.market == "DE"


def test_same_currency_has_no_rate() -> None:
    result = q("24.00", "US")
    assert result.price == Money("24.00", "USD")
    assert result.rate is None
    assert not result.tax_included


def test_policy_steps_in_order() -> None:
    policy = PricingPolicy(
        fx_buffer_percent=Decimal(2),
        markup_percent=Decimal(10),
        fixed_fee=Money("1.00", "EUR"),
        endings={"EUR": ".99"},
    )
    result = q("24.00", policy=policy)
    kinds = [s.kind for s in result.steps]
    assert kinds == [
        "source",
        "converted",
        "fx_buffer",
        "markup",
        "fixed_fee",
        "tax",
        "rounded",
        "ending",
    ]
    # ((24 × 0.9 × 1.02 × 1.10) + 1) × 1.19 = 30.0290... → 30.03 → 30.99
    assert result.steps[-2].amount == Money("30.03", "EUR")
    assert result.price == Money("30.99", "EUR")


def test_fixed_fee_in_home_currency_before_conversion() -> None:
    result = q("24.00", "GB", PricingPolicy(fixed_fee=Money("1.00", "USD")))
    assert [s.kind for s in result.steps][:3] == ["source", "fixed_fee", "converted"]
    assert result.price == Money("24.00", "GBP")  # 25 × 0.8 × 1.2


def test_fixed_fee_in_third_currency_is_converted() -> None:
    result = q("10.00", "US", PricingPolicy(fixed_fee=Money("0.90", "EUR")))
    assert result.price == Money("11.00", "USD")


@pytest.mark.parametrize(
    ("spec", "direction", "amount", "expected"),
    [
        (".99", "up", "25.70", "25.99"),
        (".99", "up", "25.99", "25.99"),
        (".99", "up", "26.00", "26.99"),
        (".99", "nearest", "26.20", "25.99"),
        (".99", "nearest", "26.60", "26.99"),
        (".95", "up", "10.96", "11.95"),
        ("whole", "up", "10.01", "11"),
        ("100", "up", "3960", "4000"),
        ("100", "nearest", "3940", "3900"),
        ("100", "nearest", "3950", "4000"),
        ("x99", "up", "1250", "1299"),
        ("10", "up", "3", "10"),
        (".99", "nearest", "0.40", "0.99"),
    ],
)
def test_endings(spec: str, direction: str, amount: str, expected: str) -> None:
    ending = Ending.of(spec, direction=direction)  # type: ignore[arg-type]
    assert ending.apply(Decimal(amount)) == Decimal(expected)


def test_zero_digit_currency_refuses_cent_ending() -> None:
    with pytest.raises(PricingError, match="JPY"):
        PricingPolicy(endings={"JPY": ".99"})


def test_unknown_preset() -> None:
    with pytest.raises(PricingError, match="unknown preset"):
        Ending.of(".49")


def test_bad_ending_values() -> None:
    with pytest.raises(PricingError, match="step"):
        Ending(Decimal(0))
    with pytest.raises(PricingError, match="offset"):
        Ending(Decimal(1), Decimal("0.5"))


def test_jpy_hundreds() -> None:
    result = q("24.00", "JP", PricingPolicy(endings={"JPY": "100"}))
    # 24 × 150 = 3600 × 1.10 = 3960 → 4000
    assert result.price == Money("4000", "JPY")


def test_min_price_floor_keeps_ending() -> None:
    policy = PricingPolicy(min_prices={"EUR": Money("30.00", "EUR")}, endings={"EUR": ".99"})
    result = q("10.00", policy=policy)
    assert result.steps[-1].kind == "floor"
    assert result.price == Money("30.99", "EUR")


def test_min_margin_over_cost() -> None:
    policy = PricingPolicy(min_margin_percent=Decimal(50))
    result = q("10.00", cost=Money("20.00", "USD"), policy=policy)
    # 20 × 0.9 × 1.5 = 27 net; × 1.19 = 32.13 gross
    assert result.price == Money("32.13", "EUR")
    assert "margin" in result.steps[-1].detail


def test_override_wins() -> None:
    policy = PricingPolicy(
        overrides={"DE": Money("29.00", "EUR"), ("MUG-01", "JP"): Money("4200", "JPY")}
    )
    assert q("24.00", policy=policy).price == Money("29.00", "EUR")
    assert q("24.00", "JP", policy=policy, sku="MUG-01").price == Money("4200", "JPY")
    assert q("24.00", "JP", policy=policy, sku="OTHER").price != Money("4200", "JPY")


def test_override_below_floor_refused_at_build() -> None:
    with pytest.raises(PricingError, match=r"market DE.*25\.00 EUR.*30\.00 EUR"):
        PricingPolicy(
            min_prices={"EUR": Money("30.00", "EUR")}, overrides={"DE": Money("25.00", "EUR")}
        )


def test_override_in_wrong_currency() -> None:
    with pytest.raises(PricingError, match="not in EUR"):
        q("24.00", policy=PricingPolicy(overrides={"DE": Money("25.00", "USD")}))


def test_unknown_vat_is_never_zero() -> None:
    market = dataclasses.replace(Market.for_country("DE", on=ON), vat_rate=None)
    with pytest.raises(PricingError, match="VAT rate is unknown"):
        q("24.00", market)
    ok = q("24.00", market, PricingPolicy(vat_overrides={"DE": Decimal(19)}))
    assert ok.price == Money("25.70", "EUR")
    assert q("24.00", market, PricingPolicy(include_tax=False)).price == Money("21.60", "EUR")


def test_policy_refuses_floats_and_bad_values() -> None:
    with pytest.raises(FloatAmountError, match="markup_percent"):
        PricingPolicy(markup_percent=1.5)  # type: ignore[arg-type]
    with pytest.raises(PricingError, match="markup_percent"):
        PricingPolicy(markup_percent=Decimal(-100))
    with pytest.raises(PricingError, match="vat_overrides"):
        PricingPolicy(vat_overrides={"Germany": Decimal(19)})
    with pytest.raises(PricingError, match="min_prices"):
        PricingPolicy(min_prices={"EUR": Money("1", "USD")})


def test_missing_rate_propagates() -> None:
    with pytest.raises(RateUnavailableError, match="USD->MXN"):
        q("24.00", "MX")


def test_price_must_be_money() -> None:
    with pytest.raises(TypeError, match="Money"):
        quote("24.00", "DE", rates=RATES, on=ON)  # type: ignore[arg-type]


def test_deterministic() -> None:
    policy = PricingPolicy(markup_percent=Decimal("7.5"), endings={"EUR": ".95"})
    assert q("19.99", policy=policy) == q("19.99", policy=policy)


MARKETS = ["DE", "GB", "JP", "US", "CH", "HU"]
ENDINGS = {"EUR": ".99", "GBP": ".95", "JPY": "100", "CHF": ".90", "HUF": "x990", "USD": "whole"}


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2),
    market=st.sampled_from(MARKETS),
    markup=st.decimals(min_value=Decimal(-50), max_value=Decimal(200), places=1),
    direction=st.sampled_from(["up", "nearest"]),
    floor=st.booleans(),
    override=st.booleans(),
)
def test_quote_invariants(
    amount: Decimal, market: str, markup: Decimal, direction: str, floor: bool, override: bool
) -> None:
    currency = Market.for_country(market, on=ON).currency
    ending = Ending.of(ENDINGS[currency], direction=direction)  # type: ignore[arg-type]
    floor_money = Money(ending.ceil(Decimal(50)), currency) if floor else None
    fixed = Money(ending.ceil(Decimal(77)), currency)
    policy = PricingPolicy(
        markup_percent=markup,
        endings={currency: ending},
        min_prices={currency: floor_money} if floor_money else {},
        overrides={market: fixed} if override else {},
    )
    result = quote(Money(amount, "USD"), market, rates=RATES, policy=policy, on=ON)
    price = result.price
    assert price.currency == currency
    assert price.is_quantized()
    assert -price.amount.as_tuple().exponent <= currency_digits(currency)  # type: ignore[operator]
    if override:
        assert price == fixed
        return
    assert ending.apply(price.amount) == price.amount  # the ending holds
    assert price.amount > 0
    if floor_money is not None:
        assert price >= floor_money


# -- policy_floor: the floor step, public for code checking prices it did not quote ----------


def test_policy_floor_without_a_minimum_is_none() -> None:
    assert policy_floor(PricingPolicy(), "EUR", rates=RATES, on=ON) == (None, "")


def test_policy_floor_is_the_higher_of_minimum_and_margin() -> None:
    policy = PricingPolicy(
        min_prices={"EUR": Money("30.00", "EUR")}, min_margin_percent=Decimal(50)
    )
    # 20 USD × 0.9 × 1.5 = 27.00 net, × 1.19 = 32.13 gross: above the 30.00 minimum.
    floor, why = policy_floor(
        policy, "EUR", cost=Money("20.00", "USD"), rates=RATES, on=ON, tax_factor=Decimal("1.19")
    )
    assert floor == Decimal("32.13") and "50 % margin over cost 20.00 USD" in why
    # Without tax the margin floor (27.00) is below the minimum, which wins.
    floor, why = policy_floor(policy, "EUR", cost=Money("20.00", "USD"), rates=RATES, on=ON)
    assert floor == Decimal("30.00") and why == "minimum price 30.00 EUR"


def test_policy_floor_rounds_up_to_the_currency_digits() -> None:
    policy = PricingPolicy(min_margin_percent=Decimal(10))
    floor, _ = policy_floor(policy, "JPY", cost=Money("1.00", "USD"), rates=RATES, on=ON)
    # 1 × 150 × 1.1 = 165 exactly; one cent more of cost crosses into the next yen.
    assert floor == Decimal(165)
    floor, _ = policy_floor(policy, "JPY", cost=Money("1.01", "USD"), rates=RATES, on=ON)
    assert floor == Decimal(167)  # 166.65 rounded up


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2),
    cost=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2),
    margin=st.integers(min_value=0, max_value=200),
)
def test_a_quote_is_never_below_policy_floor(amount: Decimal, cost: Decimal, margin: int) -> None:
    policy = PricingPolicy(min_margin_percent=Decimal(margin), endings={"EUR": ".99"})
    result = q(str(amount), policy=policy, cost=Money(cost, "USD"))
    floor, _ = policy_floor(
        policy,
        "EUR",
        cost=Money(cost, "USD"),
        rates=RATES,
        on=ON,
        tax_factor=1 + result.vat_rate / 100 if result.vat_rate is not None else Decimal(1),
    )
    assert floor is not None and result.price.amount >= floor


def test_min_prices_must_be_prices_a_buyer_can_pay() -> None:
    # The floor becomes the price charged: EUR 99.999 would be shown as 100,00 €.
    with pytest.raises(PricingError, match=r"min_prices\['EUR'\].*more digits than EUR allows"):
        PricingPolicy(min_prices={"EUR": Money("99.999", "EUR")})
    with pytest.raises(PricingError, match=r"min_prices\['JPY'\]"):
        PricingPolicy(min_prices={"JPY": Money("1000.5", "JPY")})


def test_the_callers_decimal_context_changes_nothing() -> None:
    import decimal

    policy = PricingPolicy(markup_percent=Decimal("7.5"), min_margin_percent=Decimal("20"))
    expected = q("24.00", "HU", policy=policy, cost=Money("20.00", "USD"))
    floor = policy_floor(policy, "HUF", cost=Money("20.00", "USD"), rates=RATES, on=ON)
    with decimal.localcontext(prec=4):
        assert q("24.00", "HU", policy=policy, cost=Money("20.00", "USD")) == expected
        assert policy_floor(policy, "HUF", cost=Money("20.00", "USD"), rates=RATES, on=ON) == floor
        assert Money("1234567.891", "EUR").quantize() == Money("1234567.89", "EUR")
    with decimal.localcontext() as context:
        context.traps[decimal.Inexact] = True
        assert q("24.00", "HU", policy=policy, cost=Money("20.00", "USD")) == expected


def test_an_amount_too_long_to_price_is_refused_clearly() -> None:
    from xborder.errors import InvalidAmountError

    with pytest.raises(InvalidAmountError, match="price: invalid amount"):
        quote(Money("1E+26", "EUR"), "DE", rates=RATES, on=ON)
    with pytest.raises(InvalidAmountError, match="too many digits to round to EUR"):
        Money("1E+27", "EUR").quantize()
