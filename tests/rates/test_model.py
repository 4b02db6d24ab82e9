"""ExchangeRate, RateSource, convert() and the precision rules."""

from __future__ import annotations

import dataclasses
import decimal
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.errors import (
    FloatAmountError,
    InvalidAmountError,
    RateError,
    UnknownCurrencyError,
)
from xborder.money import Money
from xborder.rates import RATE_CONTEXT, ExchangeRate, RateSource, bundled, convert

from ._helpers import StubSource

DAY = date(2026, 10, 30)


def make(value: object = "1.1172", base: str = "EUR", quote: str = "USD") -> ExchangeRate:
    return ExchangeRate(base, quote, value, DAY, "ECB")  # type: ignore[arg-type]


class TestExchangeRate:
    def test_fields_and_meaning(self) -> None:
        rate = make()
        assert (rate.base, rate.quote, rate.value, rate.as_of, rate.source) == (
            "EUR",
            "USD",
            Decimal("1.1172"),
            DAY,
            "ECB",
        )
        assert str(rate) == "1 EUR = 1.1172 USD (as of 2026-10-30, ECB)"

    def test_is_immutable(self) -> None:
        rate = make()
        with pytest.raises(dataclasses.FrozenInstanceError):
            rate.value = Decimal(2)  # type: ignore[misc]

    def test_str_and_int_become_decimal(self) -> None:
        assert make("136.00").value == Decimal("136")
        assert make(2).value == Decimal(2)
        assert isinstance(make(2).value, Decimal)

    def test_float_refused(self) -> None:
        with pytest.raises(FloatAmountError, match="value"):
            make(1.1172)

    @pytest.mark.parametrize("bad", ["0", "-1.2", "NaN", "Infinity", "abc"])
    def test_value_must_be_finite_and_positive(self, bad: str) -> None:
        with pytest.raises(InvalidAmountError):
            make(bad)

    def test_unknown_currency(self) -> None:
        with pytest.raises(UnknownCurrencyError, match="base"):
            make(base="EUX")
        with pytest.raises(UnknownCurrencyError, match="quote"):
            make(quote="usd")

    def test_same_currency_must_be_one(self) -> None:
        assert make("1", "USD", "USD").value == 1
        with pytest.raises(InvalidAmountError):
            make("2", "USD", "USD")

    def test_as_of_must_be_a_date(self) -> None:
        with pytest.raises(TypeError, match="as_of"):
            ExchangeRate("EUR", "USD", Decimal(1), datetime(2026, 10, 30), "ECB")

    def test_source_must_be_text(self) -> None:
        with pytest.raises(ValueError, match="source"):
            ExchangeRate("EUR", "USD", Decimal(1), DAY, " ")

    def test_inverse(self) -> None:
        inverse = make().inverse()
        assert (inverse.base, inverse.quote, inverse.as_of, inverse.source) == (
            "USD",
            "EUR",
            DAY,
            "ECB",
        )
        assert inverse.value == Decimal("0.8950948800572860723236663086")
        assert inverse.inverse().value == Decimal("1.117200000000000000000000000")


class TestConvert:
    def test_unrounded_product(self) -> None:
        source = StubSource("stub", {("EUR", "USD"): "1.1172"})
        result = convert(Money("10.00", "EUR"), "USD", rates=source, on=DAY)
        assert result == Money("11.172", "USD")
        assert str(result.amount) == "11.172000"  # not quantized: a policy rounds later

    def test_same_currency_is_unchanged_without_lookup(self) -> None:
        source = StubSource("stub")
        money = Money("10.00", "EUR")
        assert convert(money, "EUR", rates=source, on=DAY) is money
        assert source.calls == []

    def test_passes_on_through(self) -> None:
        source = StubSource("stub", {("EUR", "USD"): "1.1172"})
        convert(Money("1", "EUR"), "USD", rates=source, on=DAY)
        convert(Money("1", "EUR"), "USD", rates=source)
        assert source.calls == [("EUR", "USD", DAY), ("EUR", "USD", None)]

    def test_refuses_non_money(self) -> None:
        with pytest.raises(TypeError, match="Money"):
            convert(Decimal(1), "USD", rates=StubSource("s"), on=DAY)  # type: ignore[arg-type]

    def test_wrong_pair_from_a_source_is_an_error(self) -> None:
        class Liar(StubSource):
            def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
                return ExchangeRate("EUR", "GBP", Decimal("0.8"), DAY, "liar")

        with pytest.raises(RateError, match="EUR->GBP"):
            convert(Money("1", "EUR"), "USD", rates=Liar("liar"), on=DAY)

    def test_independent_of_the_ambient_decimal_context(self) -> None:
        money = Money("24.00", "USD")
        expected = convert(money, "JPY", rates=bundled(), on=DAY)
        inverse = bundled().rate("JPY", "USD", on=DAY)
        with decimal.localcontext() as ctx:
            ctx.prec = 5
            ctx.rounding = decimal.ROUND_DOWN
            assert convert(money, "JPY", rates=bundled(), on=DAY) == expected
            assert bundled().rate("JPY", "USD", on=DAY) == inverse
            assert make().inverse().value == Decimal("0.8950948800572860723236663086")
        # 24 × (175.68 / 1.1172), each step rounded to 28 significant digits
        assert expected.amount == Decimal(24) * Decimal("157.2502685284640171858216971")

    def test_rate_context_is_28_digits_half_even(self) -> None:
        assert RATE_CONTEXT.prec == 28
        assert RATE_CONTEXT.rounding == decimal.ROUND_HALF_EVEN


def test_builtin_sources_satisfy_the_protocol() -> None:
    assert isinstance(bundled(), RateSource)
    assert isinstance(StubSource("s"), RateSource)
    assert not isinstance(object(), RateSource)


# -- invariants over the shipped data --------------------------------------------------

SOURCE = bundled()
ECB_CURRENCIES = [*sorted(SOURCE.snapshot.rates_on(DAY)), "EUR"]
CURRENCIES = [*ECB_CURRENCIES, "AED", "SAR", "QAR", "BHD", "OMR", "JOD"]
amounts = st.decimals(
    min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=2
).filter(lambda d: d.is_finite())
days = st.dates(min_value=date(2023, 1, 2), max_value=DAY)


@given(amount=amounts, pair=st.permutations(CURRENCIES).map(lambda c: c[:2]), on=days)
def test_there_and_back_is_identity_within_precision(
    amount: Decimal, pair: list[str], on: date
) -> None:
    a, b = pair
    money = Money(amount, a)
    back = convert(convert(money, b, rates=SOURCE, on=on), a, rates=SOURCE, on=on)
    # Two conversions, each with a 28-digit rate: relative error far below 1e-24.
    assert abs(back.amount - amount) <= abs(amount) * Decimal("1e-24")


@given(x=amounts, y=amounts, quote=st.sampled_from(ECB_CURRENCIES[:-1]), on=days)
def test_converting_from_eur_is_exactly_linear(
    x: Decimal, y: Decimal, quote: str, on: date
) -> None:
    # EUR→X uses the published value itself, so products are exact in 28 digits.
    left = convert(Money(x, "EUR") + Money(y, "EUR"), quote, rates=SOURCE, on=on)
    right = convert(Money(x, "EUR"), quote, rates=SOURCE, on=on) + convert(
        Money(y, "EUR"), quote, rates=SOURCE, on=on
    )
    assert left == right


@given(x=amounts, y=amounts, pair=st.permutations(CURRENCIES).map(lambda c: c[:2]), on=days)
def test_converting_is_linear_within_precision(
    x: Decimal, y: Decimal, pair: list[str], on: date
) -> None:
    a, b = pair
    left = convert(Money(x, a) + Money(y, a), b, rates=SOURCE, on=on).amount
    right = (
        convert(Money(x, a), b, rates=SOURCE, on=on) + convert(Money(y, a), b, rates=SOURCE, on=on)
    ).amount
    scale = max(abs(x), abs(y), Decimal(1)) * SOURCE.rate(a, b, on=on).value
    assert abs(left - right) <= scale * Decimal("1e-25")


@given(trio=st.permutations(CURRENCIES).map(lambda c: c[:3]), on=days)
def test_cross_rates_compose(trio: list[str], on: date) -> None:
    a, b, c = trio
    direct = SOURCE.rate(a, c, on=on).value
    via = SOURCE.rate(a, b, on=on).value * SOURCE.rate(b, c, on=on).value
    assert abs(direct - via) <= direct * Decimal("1e-25")
