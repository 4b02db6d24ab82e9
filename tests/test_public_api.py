"""The public names are a deliberate choice: adding or removing one changes this snapshot."""

from __future__ import annotations

import xborder

EXPECTED = [
    "jobs",
    "AsyncClient",
    "Client",
    "CATEGORIES",
    "ApiError",
    "AuthenticationError",
    "CatalogError",
    "CatalogReader",
    "ComplianceError",
    "ConfigurationError",
    "ConflictError",
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
    "InvalidRequestError",
    "Listing",
    "Market",
    "MarketplaceError",
    "MarketplaceTransportError",
    "Money",
    "MoneyError",
    "NotFoundError",
    "Offer",
    "Party",
    "PluginError",
    "PriceQuote",
    "PriceStep",
    "PricingError",
    "PricingPolicy",
    "RateError",
    "RateFetchError",
    "RateLimitError",
    "RateSource",
    "RateUnavailableError",
    "Report",
    "RequestTimeoutError",
    "Seller",
    "ServerError",
    "StaleRatesError",
    "StaleRatesWarning",
    "Translation",
    "TranslationError",
    "TranslatorAuthError",
    "TranslatorQuotaError",
    "UnexpectedResponseError",
    "UnknownCurrencyError",
    "UnknownLocaleError",
    "UnknownMarketError",
    "UnsupportedOperationError",
    "Weight",
    "XborderError",
    "__version__",
    "check",
    "check_many",
    "convert",
    "ensure_compliant",
    "format_price",
    "landed_cost",
    "marketplaces",
    "prepare",
    "quote",
    "rates",
    "read_catalog",
    "read_csv",
    "read_jsonl",
    "read_seller",
]


def test_all_snapshot() -> None:
    # Order is ruff's (RUF022: constants, classes, then functions); only the set matters here.
    assert sorted(xborder.__all__) == sorted(EXPECTED)
    assert len(set(xborder.__all__)) == len(xborder.__all__)


def test_every_name_exists() -> None:
    for name in xborder.__all__:
        assert hasattr(xborder, name), name


def test_public_callables_documented() -> None:
    for name in xborder.__all__:
        obj = getattr(xborder, name)
        if callable(obj):
            assert obj.__doc__, name
