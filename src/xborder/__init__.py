"""xborder: sell a home-market listing on marketplaces abroad.

Prices converted and rounded the way buyers there expect, text and units localized, and
every listing checked against the destination's rules before it is published. This module
is the public face: it re-exports the names users type; the code lives in the submodules.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from xborder import jobs, marketplaces, rates
from xborder.catalog import CatalogReader, read_catalog, read_csv, read_jsonl, read_seller
from xborder.client import AsyncClient, Client
from xborder.compliance import Report, check, check_many, ensure_compliant, landed_cost
from xborder.errors import (
    ApiError,
    AuthenticationError,
    CatalogError,
    ComplianceError,
    ConfigurationError,
    ConflictError,
    CurrencyMismatchError,
    FieldError,
    FloatAmountError,
    InvalidAmountError,
    InvalidListingError,
    InvalidRequestError,
    MarketplaceError,
    MarketplaceTransportError,
    MoneyError,
    NotFoundError,
    PluginError,
    PricingError,
    RateError,
    RateFetchError,
    RateLimitError,
    RateUnavailableError,
    RequestTimeoutError,
    ServerError,
    StaleRatesError,
    StaleRatesWarning,
    TranslationError,
    TranslatorAuthError,
    TranslatorQuotaError,
    UnexpectedResponseError,
    UnknownCurrencyError,
    UnknownLocaleError,
    UnknownMarketError,
    UnsupportedOperationError,
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
from xborder.offer import Offer, prepare
from xborder.pricing import Ending, PriceQuote, PriceStep, PricingPolicy, quote
from xborder.rates import ExchangeRate, RateSource, convert

try:
    __version__ = version("xborder")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "CATEGORIES",
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "CatalogError",
    "CatalogReader",
    "Client",
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
    "jobs",
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
