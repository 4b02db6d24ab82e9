from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xborder import Market, UnknownMarketError
from xborder.markets import countries, is_country

ON = date(2026, 10, 30)


@pytest.mark.parametrize(
    ("code", "currency", "locale", "vat", "inclusive"),
    [
        ("DE", "EUR", "de_DE", Decimal("19.0"), True),
        ("FR", "EUR", "fr_FR", Decimal("20.0"), True),
        ("GB", "GBP", "en_GB", Decimal("20.0"), True),
        ("JP", "JPY", "ja_JP", Decimal("10.0"), True),
        ("CH", "CHF", "de_CH", Decimal("8.1"), True),
        ("FI", "EUR", "fi_FI", Decimal("25.5"), True),
        ("US", "USD", "en_US", None, False),
        ("CA", "CAD", "en_CA", Decimal("5.0"), False),
        ("BR", "BRL", "pt_BR", None, None),
    ],
)
def test_known_markets(
    code: str, currency: str, locale: str, vat: Decimal | None, inclusive: bool | None
) -> None:
    market = Market.for_country(code, on=ON)
    assert (market.country, market.currency, market.locale) == (code, currency, locale)
    assert market.vat_rate == vat
    assert market.prices_include_tax is inclusive
    assert isinstance(market.vat_rate, Decimal | None)


def test_unknown_vat_is_none_not_zero() -> None:
    # Kenya is not in the facts: its VAT rate is unknown, so None.
    market = Market.for_country("KE", on=ON)
    assert market.vat_rate is None and market.prices_include_tax is None
    assert market.currency == "KES"


def test_facts_carry_sources_and_date() -> None:
    market = Market.for_country("DE", on=ON)
    assert market.eu_member
    assert market.sources and all(s.startswith("http") for s in market.sources)
    assert market.as_of == date(2026, 11, 28)


def test_currency_follows_the_date() -> None:
    # Bulgaria adopted the euro on 2026-01-01.
    assert Market.for_country("BG", on=date(2025, 6, 1)).currency == "BGN"
    assert Market.for_country("BG", on=date(2026, 6, 1)).currency == "EUR"


@pytest.mark.parametrize("code", ["XX", "EU", "ZZ", "UN", "", "DEU", 49, None])
def test_unknown_code_named(code: object) -> None:
    with pytest.raises(UnknownMarketError) as info:
        Market.for_country(code, on=ON)  # type: ignore[arg-type]
    assert repr(code) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_lower_case_hint() -> None:
    with pytest.raises(UnknownMarketError, match="did you mean 'DE'"):
        Market.for_country("de", on=ON)


def test_antarctica_has_no_currency() -> None:
    with pytest.raises(UnknownMarketError, match="legal tender"):
        Market.for_country("AQ", on=ON)


def test_countries() -> None:
    all_codes = countries()
    assert "DE" in all_codes and "EU" not in all_codes and len(all_codes) > 240
    assert is_country("JP") and not is_country("jp")
