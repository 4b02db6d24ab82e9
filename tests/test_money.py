from __future__ import annotations

import pickle
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from xborder import (
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    Money,
    UnknownCurrencyError,
    XborderError,
)
from xborder.money import currency_digits, is_currency, to_decimal


def test_accepts_str_int_decimal() -> None:
    assert Money("24.00", "USD").amount == Decimal("24.00")
    assert Money(3, "JPY").amount == Decimal(3)
    assert Money(Decimal("-1.5"), "EUR").amount == Decimal("-1.5")


def test_keeps_amount_exactly() -> None:
    assert str(Money("10.005", "USD").amount) == "10.005"
    assert repr(Money("10.005", "USD")) == "Money('10.005', 'USD')"
    assert str(Money("1.50", "EUR")) == "1.50 EUR"


def test_float_refused_with_hint() -> None:
    with pytest.raises(TypeError, match=r"Pass a string such as '1\.1'") as info:
        Money(1.1, "USD")  # type: ignore[arg-type]
    assert isinstance(info.value, FloatAmountError)
    assert isinstance(info.value, XborderError)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "abc", "", "1,5"])
def test_non_finite_or_text_refused(bad: str) -> None:
    with pytest.raises(InvalidAmountError, match="amount"):
        Money(bad, "USD")


def test_nan_decimal_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        Money(Decimal("NaN"), "USD")


def test_bool_refused() -> None:
    with pytest.raises(InvalidAmountError, match="bool"):
        Money(True, "USD")


@pytest.mark.parametrize("code", ["XYZ", "usd", "US", "", "EURO", 978])
def test_unknown_currency_names_code(code: object) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        Money("1", code)  # type: ignore[arg-type]
    assert repr(code) in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, XborderError)


def test_lower_case_hint() -> None:
    with pytest.raises(UnknownCurrencyError, match="did you mean 'USD'"):
        Money("1", "usd")


def test_immutable_and_hashable() -> None:
    m = Money("1.0", "EUR")
    with pytest.raises(AttributeError):
        m.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        m._amount = Decimal(2)  # type: ignore[misc]
    assert hash(m) == hash(Money("1.00", "EUR"))
    assert {m, Money("1.00", "EUR")} == {m}
    assert pickle.loads(pickle.dumps(m)) == m


def test_arithmetic_same_currency() -> None:
    a, b = Money("10.10", "EUR"), Money("0.95", "EUR")
    assert a + b == Money("11.05", "EUR")
    assert a - b == Money("9.15", "EUR")
    assert a * 3 == Money("30.30", "EUR")
    assert Decimal("0.5") * a == Money("5.05", "EUR")
    assert -a == Money("-10.10", "EUR")
    assert abs(Money("-2", "EUR")) == Money("2", "EUR")
    assert a > b and b < a and a >= a and b <= a


def test_mixed_currency_raises_naming_both() -> None:
    with pytest.raises(CurrencyMismatchError, match="EUR and USD"):
        Money("1", "EUR") + Money("1", "USD")
    with pytest.raises(CurrencyMismatchError, match="compare"):
        _ = Money("1", "EUR") < Money("1", "USD")
    assert Money("1", "EUR") != Money("1", "USD")


def test_multiply_by_float_refused() -> None:
    with pytest.raises(FloatAmountError, match="factor"):
        Money("1", "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1", "EUR") * Money("1", "EUR")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("JPY", 0),
        ("EUR", 2),
        ("USD", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("HUF", 0),
        ("IDR", 0),
        ("COP", 0),
        ("CLF", 4),
        ("KRW", 0),
    ],
)
def test_cldr_digits(code: str, digits: int) -> None:
    # HUF/IDR/COP: CLDR 49 says 0, ISO 4217 says 2 (CLDR-11586); xborder follows CLDR.
    assert currency_digits(code) == digits


def test_digits_unknown_currency_raises() -> None:
    with pytest.raises(UnknownCurrencyError):
        currency_digits("XYZ")


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        ("10.005", "USD", "10.01"),
        ("2.5", "JPY", "3"),
        ("1.0005", "KWD", "1.001"),
        ("-10.005", "USD", "-10.01"),
        ("1234.5", "HUF", "1235"),
        ("7", "EUR", "7.00"),
    ],
)
def test_quantize_half_up(amount: str, code: str, expected: str) -> None:
    q = Money(amount, code).quantize()
    assert str(q.amount) == expected


def test_quantize_mode_parameter() -> None:
    assert Money("2.5", "JPY").quantize(ROUND_HALF_EVEN).amount == Decimal(2)
    assert Money("10.005", "USD").is_quantized() is False
    assert Money("10.00", "USD").is_quantized() is True


def test_pydantic_field() -> None:
    class Item(BaseModel):
        price: Money

    item = Item(price={"amount": "1.50", "currency": "EUR"})  # type: ignore[arg-type]
    assert item.price == Money("1.50", "EUR")
    assert Item(price="2.00 USD").price == Money("2.00", "USD")  # type: ignore[arg-type]
    assert Item.model_validate_json(
        '{"price": {"amount": "3.10", "currency": "GBP"}}'
    ).price == Money("3.10", "GBP")
    assert item.model_dump_json() == '{"price":{"amount":"1.50","currency":"EUR"}}'
    assert item.model_dump()["price"] == Money("1.50", "EUR")
    schema = Item.model_json_schema()
    assert "price" in schema["properties"]


@pytest.mark.parametrize(
    "bad",
    [
        {"amount": 1.5, "currency": "EUR"},
        {"amount": "1"},
        "1.00",
        {"amount": "1", "currency": "XYZ"},
        1.5,
        {"amount": "1", "currency": "EUR", "x": 1},
    ],
)
def test_pydantic_errors_name_the_field(bad: object) -> None:
    class Item(BaseModel):
        price: Money

    with pytest.raises(ValidationError) as info:
        Item(price=bad)  # type: ignore[arg-type]
    assert info.value.errors()[0]["loc"] == ("price",)


def test_to_decimal_field_name() -> None:
    with pytest.raises(FloatAmountError, match=r"^cost:"):
        to_decimal(0.5, field="cost")
    assert is_currency("EUR") and not is_currency("eur") and not is_currency(None)


amounts = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9, places=4
)
codes = st.sampled_from(["USD", "EUR", "JPY", "KWD", "HUF", "GBP"])


@given(amounts, amounts, codes)
def test_addition_is_exact_and_commutative(a: Decimal, b: Decimal, code: str) -> None:
    x, y = Money(a, code), Money(b, code)
    assert x + y == y + x
    assert (x + y).amount == a + b
    assert (x + y) - y == x


@given(amounts, codes)
def test_quantize_gives_currency_digits(a: Decimal, code: str) -> None:
    q = Money(a, code).quantize()
    assert q.is_quantized()
    assert abs(q.amount - a) <= Decimal(1).scaleb(-currency_digits(code)) / 2


def test_every_currency_cldr_knows_is_known() -> None:
    # CLDR 49 has XAD (Caribbean guilder) without an English display name.
    from babel.numbers import list_currencies

    from xborder.money import is_currency

    assert all(is_currency(code) for code in list_currencies())
    assert Money("1.00", "XAD").currency == "XAD"
