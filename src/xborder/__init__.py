"""xborder: sell a home-market listing on marketplaces abroad.

Prices converted and rounded the way buyers there expect, text and units localized, and
every listing checked against the destination's rules before it is published. This module
is the public face: it re-exports the names users type; the code lives in the submodules.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from xborder import rates
from xborder.catalog import CatalogReader, read_catalog, read_csv, read_jsonl, read_seller
from xborder.compliance import Report, check, ensure_compliant, landed_cost
from xborder.errors import (
    CatalogError,
    ComplianceError,
    ConfigurationError,
    CurrencyMismatchError,
    FieldError,
    FloatAmountError,
    InvalidAmountError,
    InvalidListingError,
    MoneyError,
    PluginError,
    PricingError,
    RateError,
    RateFetchError,
    RateUnavailableError,
    StaleRatesError,
    StaleRatesWarning,
    TranslationError,
    TranslatorAuthError,
    TranslatorQuotaError,
    UnknownCurrencyError,
    UnknownLocaleError,
    UnknownMarketError,
    XborderError,
)
from xborder.findings import Finding
from xborder.listing import (
    CATEGORIES,
    DangerousGoods,
    Dimensions,
    Listing,
    Party,
    Seller,
    Translation,
    Weight,
)
from xborder.localize.formatting import format_price
from xborder.markets import Market
from xborder.money import Money
from xborder.pricing import Ending, PriceQuote, PriceStep, PricingPolicy, quote
from xborder.rates import ExchangeRate, RateSource, convert

try:
    __version__ = version("xborder")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
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
    "convert",
    "ensure_compliant",
    "format_price",
    "landed_cost",
    "quote",
    "rates",
    "read_catalog",
    "read_csv",
    "read_jsonl",
    "read_seller",
]
