"""Locale-aware display of prices: babel-identical currency formatting, cached per locale."""

from xborder.localize.formatting import (
    UnknownLocaleError,
    babel_fallbacks,
    babel_swiss_grouping_bug,
    clear_cache,
    format_price,
)

__all__ = [
    "UnknownLocaleError",
    "babel_fallbacks",
    "babel_swiss_grouping_bug",
    "clear_cache",
    "format_price",
]
