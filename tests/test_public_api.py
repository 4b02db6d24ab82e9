"""The public names are a deliberate choice: adding or removing one changes this snapshot."""

from __future__ import annotations

import xborder

EXPECTED = [
    "CATEGORIES",
    "CatalogError",
    "CatalogReader",
    "ComplianceError",
    "ConfigurationError",
    "CurrencyMismatchError",
    "DangerousGoods",
    "Dimensions",
    "Ending",
    "ExchangeRate",
    "FieldError",
    "Finding",
    "FloatAmountError",
    "InvalidAmountError",
    "InvalidListingError",
    "Listing",
    "Market",
    "Money",
    "MoneyError",
    "Party",
    "PluginError",
    "PriceQuote",
    "PriceStep",
    "PricingError",
    "PricingPolicy",
    "RateError",
    "RateFetchError",
    "RateSource",
    "RateUnavailableError",
    "Report",
    "Seller",
    "StaleRatesError",
    "StaleRatesWarning",
    "Translation",
    "TranslationError",
    "TranslatorAuthError",
    "TranslatorQuotaError",
    "UnknownCurrencyError",
    "UnknownLocaleError",
    "UnknownMarketError",
    "Weight",
    "XborderError",
    "__version__",
    "check",
    "ensure_compliant",
    "landed_cost",
    "convert",
    "format_price",
    "quote",
    "rates",
    "read_catalog",
    "read_csv",
    "read_jsonl",
    "read_seller",
]


def test_all_snapshot() -> None:
    assert sorted(xborder.__all__) == sorted(EXPECTED)
    assert xborder.__all__ == sorted(xborder.__all__)


def test_every_name_exists() -> None:
    for name in xborder.__all__:
        assert hasattr(xborder, name), name


def test_public_callables_documented() -> None:
    for name in xborder.__all__:
        obj = getattr(xborder, name)
        if callable(obj):
            assert obj.__doc__, name
