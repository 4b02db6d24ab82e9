"""format_price: babel-identical output (except babel's Swiss grouping bug), errors, fallback."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import cache
from unittest import mock

import babel.numbers
import pytest
from babel.core import Locale, parse_locale
from babel.localedata import locale_identifiers
from babel.numbers import NumberPattern, format_currency, get_territory_currencies, parse_pattern
from hypothesis import given
from hypothesis import strategies as st

from xborder.errors import InvalidAmountError, XborderError
from xborder.localize import formatting
from xborder.localize.formatting import (
    UnknownLocaleError,
    babel_fallbacks,
    babel_swiss_grouping_bug,
    clear_cache,
    format_price,
)
from xborder.money import Money

# Territories of the demo markets and the other markets the issue names.
TERRITORIES = frozenset(
    {"DE", "FR", "GB", "JP", "CA", "AU", "CH", "SE", "PL", "MX", "US"}
    | {"IN", "AE", "SA", "KW", "HU", "LI", "AT", "IE", "NL", "BR"}
)
#: A fixed date (never today) for the territories' currencies.
ON = date(2026, 10, 30)

AMOUNTS = tuple(
    Decimal(text)
    for text in (
        "0",
        "-0",
        "-0.001",
        "0.001",
        "0.005",
        "0.015",
        "0.125",  # half-even: 0.12
        "0.135",  # half-even: 0.14
        "-0.125",
        "0.0005",  # KWD/BHD tie
        "0.0015",
        "2.5",  # JPY half-even: 2
        "3.5",  # JPY half-even: 4
        "1",
        "19.99",
        "-19.99",
        "999.995",
        "1234.5",
        "-1234.5",
        "1234.5678",
        "-1234.5678",
        "99999.99",
        "999999.99",
        "999999.995",  # rounds up to 1,000,000.00: seven integer digits after rounding
        "1000000",
        "1234567.5",
        "-1234567.891",
        "12345678.905",
        "1234567890.5",
        "-987654321098.765",
        "1000000000000",
        "1E+3",
        "1E+15",
        "-1.5E-7",
        "1.5E-7",
        "123456789012345678901.2345",
        "0.12500000000000000000000000001",  # 29 digits: babel rounds to 28 first
    )
)

# babel rounds in the ambient context; the comparisons run in the default one explicitly.
DEFAULT_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)

_GROUP_STANDIN = "\ue001"


def _territory(identifier: str) -> str | None:
    return parse_locale(identifier)[1]


def market_locales() -> list[str]:
    return sorted(i for i in locale_identifiers() if _territory(i) in TERRITORIES)


@cache
def market_currencies(territory: str) -> tuple[str, ...]:
    found = get_territory_currencies(territory, start_date=ON)
    return tuple(dict.fromkeys([*found, "USD", "EUR"]))


def group_symbol(identifier: str) -> str:
    return str(Locale.parse(identifier).number_symbols["latn"].get("group", ","))


def babel_expected(amount: Decimal, currency: str, identifier: str) -> tuple[str, bool]:
    """Return babel's text, or the CLDR-correct one where babel's Swiss bug hits; and which.

    The corrected text is babel's own output with the group symbol replaced by a stand-in
    while babel formats, and put back afterwards, so that babel's quote stripping cannot reach
    it: independent of xborder's implementation.
    """
    with decimal.localcontext(DEFAULT_CONTEXT):
        text = format_currency(amount, currency, locale=identifier)
        group = group_symbol(identifier)
        if "'" not in group:
            return text, False
        with mock.patch.object(babel.numbers, "get_group_symbol", return_value=_GROUP_STANDIN):
            correct = format_currency(amount, currency, locale=identifier)
    correct = correct.replace(_GROUP_STANDIN, group)
    if correct == text:
        return text, False
    # The only documented difference: apostrophe grouping, seven or more integer digits.
    assert babel_swiss_grouping_bug()
    digits = abs(amount).quantize(Decimal(1).scaleb(-Money("0", currency).digits))
    assert len(str(int(digits))) >= 7, (amount, currency, identifier)
    return correct, True


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


# -- exhaustive equality with babel ---------------------------------------------------------


def test_market_locales_cover_the_issue() -> None:
    locales = market_locales()
    assert {"de_CH", "fr_CH", "it_CH", "de_LI", "en_IN", "ar_KW", "ja_JP"} <= set(locales)
    assert len(locales) > 100


@pytest.mark.parametrize("identifier", market_locales())
def test_equal_to_babel_for_every_market_locale(identifier: str) -> None:
    currencies = market_currencies(_territory(identifier) or "")
    corrected = 0
    for currency in currencies:
        for amount in AMOUNTS:
            expected, was_corrected = babel_expected(amount, currency, identifier)
            corrected += was_corrected
            got = format_price(Money(amount, currency), identifier)
            assert got == expected, (identifier, currency, amount)
    if "'" in group_symbol(identifier) and babel_swiss_grouping_bug():
        assert corrected > 0
    else:
        assert corrected == 0
    assert not [pair for pair in babel_fallbacks() if pair[0] == identifier]


LOCALE_SAMPLE = (
    "de_DE",
    "fr_FR",
    "en_GB",
    "ja_JP",
    "en_CA",
    "fr_CA",
    "de_CH",
    "fr_CH",
    "it_CH",
    "de_LI",
    "sv_SE",
    "pl_PL",
    "es_MX",
    "en_US",
    "en_IN",
    "hi_IN",
    "ar_AE",
    "ar_SA",
    "ar_KW",
    "hu_HU",
    "nl_NL",
    "pt_BR",
    "he_IL",
    "fa_IR",
    "en_US_POSIX",
    "fy",
)
CURRENCY_SAMPLE = ("USD", "EUR", "JPY", "KWD", "CHF", "INR", "HUF", "CLF", "XXX", "ISK", "KRW")

_money_decimals = st.one_of(
    st.decimals(
        min_value=Decimal("-1e15"),
        max_value=Decimal("1e15"),
        allow_nan=False,
        allow_infinity=False,
    ),
    # Any sign (negative zero too), coefficient and exponent form, up to 30 digits.
    st.builds(
        lambda sign, coefficient, exponent: Decimal(
            (sign, tuple(int(d) for d in str(coefficient)), exponent)
        ),
        st.integers(0, 1),
        st.integers(0, 10**30 - 1),
        st.integers(-34, 3),
    ),
)


@given(
    amount=_money_decimals,
    identifier=st.sampled_from(LOCALE_SAMPLE),
    currency=st.sampled_from(CURRENCY_SAMPLE),
)
def test_property_equal_to_babel(amount: Decimal, identifier: str, currency: str) -> None:
    try:
        expected, _ = babel_expected(amount, currency, identifier)
    except decimal.InvalidOperation:
        with pytest.raises(InvalidAmountError):
            format_price(Money(amount, currency), identifier)
        return
    assert format_price(Money(amount, currency), identifier) == expected


# -- the Swiss / Liechtenstein grouping bug -------------------------------------------------


def test_bug_detected_with_babel_2_19() -> None:
    # Pinned babel 2.19 / CLDR 49 has the bug; if babel fixes it, this is the test to update.
    assert babel_swiss_grouping_bug() is True
    assert formatting.BABEL_SWISS_GROUPING_BUG is True
    assert format_currency(Decimal("1234567.5"), "CHF", locale="de_CH") == "CHF\xa01234567.50"


SWISS = [
    ("de_CH", "1234567.5", "CHF\xa01'234'567.50"),
    ("de_CH", "1234567890.5", "CHF\xa01'234'567'890.50"),
    ("de_CH", "-1234567.5", "CHF-1'234'567.50"),
    ("fr_CH", "1234567.5", "1'234'567,50\xa0CHF"),
    ("fr_CH", "1234567890.5", "1'234'567'890,50\xa0CHF"),
    ("it_CH", "1234567.5", "CHF\xa01'234'567.50"),
    ("it_CH", "1234567890.5", "CHF\xa01'234'567'890.50"),
    ("de_LI", "1234567.5", "CHF\xa01'234'567.50"),
    ("de_LI", "1234567890.5", "CHF\xa01'234'567'890.50"),
    ("de_LI", "-1234567.5", "-CHF\xa01'234'567.50"),
    ("de_CH", "999999.995", "CHF\xa01'000'000.00"),
]


@pytest.mark.parametrize(("identifier", "amount", "expected"), SWISS)
def test_swiss_grouping_is_cldr_correct(identifier: str, amount: str, expected: str) -> None:
    assert format_price(Money(amount, "CHF"), identifier) == expected
    assert format_currency(Decimal(amount), "CHF", locale=identifier) != expected  # the bug


@pytest.mark.parametrize("identifier", ["de_CH", "fr_CH", "it_CH", "de_LI"])
@pytest.mark.parametrize("amount", ["0", "1234.5", "-1234.5", "123456.78", "999999.99"])
def test_swiss_below_a_million_agrees_with_babel(identifier: str, amount: str) -> None:
    babel_text = format_currency(Decimal(amount), "CHF", locale=identifier)
    assert format_price(Money(amount, "CHF"), identifier) == babel_text
    if abs(Decimal(amount)) >= 1000:
        assert "'" in babel_text


# -- pinned literals ------------------------------------------------------------------------

PINNED = [
    ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
    ("1234.5", "EUR", "fr_FR", "1\u202f234,50\xa0€"),
    ("1234.5", "JPY", "ja_JP", "￥1,234"),  # half-even: the tie goes to the even 1,234
    ("1235.5", "JPY", "ja_JP", "￥1,236"),
    ("12345678.9", "INR", "en_IN", "₹1,23,45,678.90"),
    ("1234.5", "USD", "en_US", "$1,234.50"),
    ("0.125", "USD", "en_US", "$0.12"),
    ("0.135", "USD", "en_US", "$0.14"),
    ("-0", "USD", "en_US", "-$0.00"),
    ("-0.001", "USD", "en_US", "-$0.00"),
    ("1E+3", "USD", "en_US", "$1,000.00"),
    ("1.5E-7", "USD", "en_US", "$0.00"),
    ("1234.5", "USD", "en_CA", "US$1,234.50"),
    ("1234.5", "CAD", "fr_CA", "1\xa0234,50\xa0$"),
    ("1234.5", "KWD", "ar_KW", "\u200f1,234.500\xa0د.ك.\u200f"),
    ("-1234.5", "KWD", "ar_KW", "\u200f-1,234.500\xa0د.ك.\u200f"),
    ("1234.5", "AED", "ar_AE", "\u200f1,234.50\xa0د.إ.\u200f"),
    ("1234.5", "HUF", "hu_HU", "1\xa0234\xa0Ft"),
    ("1234.5", "SEK", "sv_SE", "1\xa0234,50\xa0kr"),
    ("-1234.5", "EUR", "nl_NL", "€\xa0-1.234,50"),
    ("1234.5", "CHF", "de_CH", "CHF\xa01'234.50"),
    ("-1234.5", "CHF", "de_CH", "CHF-1'234.50"),
    ("1234.5", "ISK", "is_IS", "1.234\xa0kr."),
    ("1234.5", "KRW", "ko_KR", "₩1,234"),
    ("1234.5", "BRL", "pt_BR", "R$\xa01.234,50"),
    ("1234.5", "USD", "en_US_POSIX", "$\xa01234.50"),  # a pattern without grouping
]


@pytest.mark.parametrize(("amount", "currency", "identifier", "expected"), PINNED)
def test_pinned_output(amount: str, currency: str, identifier: str, expected: str) -> None:
    assert format_price(Money(amount, currency), identifier) == expected


def test_int_amount() -> None:
    assert format_price(Money(1234, "EUR"), "de_DE") == "1.234,00\xa0€"


def test_money_format_uses_format_price() -> None:
    assert Money("1234.5", "EUR").format("de_DE") == "1.234,50\xa0€"


# -- locales ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "identifier"),
    [("de-DE", "de_DE"), ("en-US", "en_US"), ("zh-Hant-TW", "zh_Hant_TW"), ("de-de", "de_DE")],
)
def test_bcp47_tags_are_accepted(tag: str, identifier: str) -> None:
    money = Money("1234567.891", "EUR")
    assert format_price(money, tag) == format_currency(money.amount, "EUR", locale=identifier)


def test_babel_locale_object() -> None:
    money = Money("-1234.5", "EUR")
    assert format_price(money, Locale.parse("de_AT")) == format_price(money, "de_AT")
    assert format_price(money, Locale("de", "AT")) == "-€\xa01.234,50"


def test_ambient_decimal_context_is_ignored() -> None:
    money = Money("0.125", "USD")
    with decimal.localcontext(rounding=ROUND_HALF_UP, prec=4):
        assert format_currency(money.amount, "USD", locale="en_US") == "$0.13"  # babel follows
        assert format_price(money, "en_US") == "$0.12"
        assert format_price(Money("123456.785", "USD"), "en_US") == "$123,456.78"


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["xx_YY", "de_XX", "", "not a locale!", "en-ZZ-!!"])
def test_unknown_locale(bad: str) -> None:
    with pytest.raises(UnknownLocaleError, match="unknown locale") as info:
        format_price(Money("1", "EUR"), bad)
    assert repr(bad) in str(info.value)
    assert info.value.locale == bad
    assert isinstance(info.value, XborderError)
    assert isinstance(info.value, ValueError)


def test_locale_of_wrong_type() -> None:
    with pytest.raises(TypeError, match="locale must be"):
        format_price(Money("1", "EUR"), 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="locale must be"):
        format_price(Money("1", "EUR"), ["de_DE"])  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [Decimal("1.5"), "1.50 EUR", 1.5, None, ("1", "EUR")])
def test_not_money(bad: object) -> None:
    with pytest.raises(TypeError, match="expects a Money"):
        format_price(bad, "de_DE")  # type: ignore[arg-type]


def test_too_large_for_28_digits() -> None:
    money = Money("1E+26", "USD")
    with decimal.localcontext(DEFAULT_CONTEXT), pytest.raises(decimal.InvalidOperation):
        format_currency(money.amount, "USD", locale="en_US")
    with pytest.raises(InvalidAmountError, match="too large"):
        format_price(money, "en_US")
    assert format_price(Money("1E+25", "USD"), "en_US") == "$10,000,000,000,000,000,000,000,000.00"


# -- the babel fallback -----------------------------------------------------------------------


class PatternLocale(Locale):
    """A real locale with a made-up standard currency pattern (identity-hashed)."""

    def __init__(self, identifier: str, pattern: str) -> None:
        super().__init__(*parse_locale(identifier))
        self._pattern = parse_pattern(pattern)

    @property
    def currency_formats(self) -> dict[str, NumberPattern]:  # type: ignore[override]
        return {"standard": self._pattern}

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other


@pytest.mark.usefixtures("fresh_cache")
@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("#,##0.00 ¤¤¤", "long name"),
        ("¤#,##0.00%", "scaling"),
        ("¤ 0.###E0", "scientific"),
        ("¤ @@@", "significant"),
    ],
)
def test_exotic_pattern_falls_back_to_babel(pattern: str, reason: str) -> None:
    loc = PatternLocale("de_DE", pattern)
    for amount in ("1", "1234.5", "-1234567.891"):
        money = Money(amount, "EUR")
        with decimal.localcontext(DEFAULT_CONTEXT):
            expected = format_currency(money.amount, "EUR", locale=loc)
        assert format_price(money, loc) == expected
    assert reason in babel_fallbacks()[("de_DE", "EUR")]
    # The real de_DE is not affected.
    assert format_price(Money("1", "EUR"), "de_DE") == "1,00\xa0€"
    assert list(babel_fallbacks()) == [("de_DE", "EUR")]


@pytest.mark.usefixtures("fresh_cache")
@pytest.mark.parametrize(
    "pattern",
    [
        "¤¤\xa0#,##0.00",  # the ISO code
        "'Preis: '¤#,##0.00;'Gutschrift: '¤#,##0.00",  # quoted literal text
        "#,##0.00 ''¤",  # a doubled quote is a literal apostrophe
        "¤ #,##,###,##0.00",  # three grouping sizes: babel uses the last two
        "¤ 000,000.00",  # minimum integer digits
    ],
)
def test_uncommon_patterns_stay_on_the_fast_path(pattern: str) -> None:
    loc = PatternLocale("de_DE", pattern)
    for amount in AMOUNTS[:-2]:
        money = Money(amount, "EUR")
        with decimal.localcontext(DEFAULT_CONTEXT):
            expected = format_currency(money.amount, "EUR", locale=loc)
        assert format_price(money, loc) == expected, amount
    assert babel_fallbacks() == {}


@pytest.mark.usefixtures("fresh_cache")
def test_disagreement_with_babel_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # A formatter that disagrees with babel on the build-time probe is never used.
    monkeypatch.setattr(formatting, "_fast_formatter", lambda *args: lambda amount: "wrong")
    assert format_price(Money("1234.5", "EUR"), "de_DE") == "1.234,50\xa0€"
    assert "differs from babel" in babel_fallbacks()[("de_DE", "EUR")]


@pytest.mark.usefixtures("fresh_cache")
def test_cache_is_shared_between_spellings() -> None:
    format_price(Money("1", "EUR"), "de_DE")
    format_price(Money("1", "EUR"), "de-DE")
    assert formatting._BY_KEY["de_DE"] is formatting._BY_KEY["de-DE"]
