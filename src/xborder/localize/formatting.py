"""Locale-aware price formatting: babel's output, precomputed per (locale, currency).

:func:`format_price` returns exactly what ``babel.numbers.format_currency(amount, currency,
locale=locale)`` returns with babel's defaults (the locale's ``standard`` currency pattern, the
currency's CLDR digits, Latin digits and symbols), but over ten times faster: on every call
babel parses the locale identifier and looks up the pattern, the symbols, the currency symbol
and digits again (each through ``Locale.parse``), while this module reads them once per
(locale, currency) from babel's own parsed data and keeps a small formatter for the pair.

One documented difference: babel 2.19 with CLDR 49 loses group separators in the Swiss and
Liechtenstein locales (``de_CH``, ``fr_CH``, ``it_CH``, ``de_LI``, ``en_CH``, ``gsw*``) from
1,000,000 up, because CLDR 49 made the group symbol an ASCII apostrophe and babel strips
apostrophes in pairs as if they were pattern quotes. Where :func:`babel_swiss_grouping_bug`
detects that, :func:`format_price` returns the CLDR-correct text instead
(``CHF 1'234'567.50``). See docs/formatting.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import cache
from typing import Final

from babel.core import Locale
from babel.core import UnknownLocaleError as _BabelUnknownLocaleError
from babel.numbers import NumberPattern, format_currency, get_currency_precision

from xborder.errors import InvalidAmountError, UnknownLocaleError
from xborder.money import Money

__all__ = [
    "BABEL_SWISS_GROUPING_BUG",
    "UnknownLocaleError",
    "babel_fallbacks",
    "babel_swiss_grouping_bug",
    "clear_cache",
    "format_price",
]

#: ``True`` when the installed babel drops apostrophe group separators (see the module
#: docstring). Computed on first access, by formatting a probe with babel, because the probe
#: loads locale data (~25 ms) that an import should not pay for.
BABEL_SWISS_GROUPING_BUG: bool

_Formatter = Callable[[Decimal], str]


# babel rounds with the *ambient* decimal context (``decimal.getcontext()``), whose default
# is 28 digits and ROUND_HALF_EVEN; a caller's ``localcontext(rounding=ROUND_HALF_UP)`` would
# silently change its output. xborder always uses the default context's settings, spelled out
# here so that neither the ambient context nor a changed ``decimal.DefaultContext`` can leak in.
# Only the flags of this shared object change when it is used; no flag is trapped on, so that
# is harmless.
_CTX: Final = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

# Stands for the number while the affixes are processed. A private-use code point that is in
# no CLDR pattern or symbol (checked when a formatter is built).
_NUMBER: Final = "\ue000"

# babel's NumberPattern.apply removes pattern quotes with this substitution over the whole
# output, number included ('' becomes a literal apostrophe).
_QUOTED: Final = re.compile(r"'([^']*)'")

# Amounts the formatters compare against babel when they are built (see _self_check): a
# negative with one group and a half-even tie (.56, not .57), and an amount with a secondary
# group (en_IN lakh) and another tie whose integer part hits the apostrophe bug.
_PROBES: Final = (Decimal("-1234.565"), Decimal("12345678.905"))

# Cache of formatters: key given by the caller (locale text or Locale) -> {currency: formatter}.
# The inner dicts are shared by every key naming the same locale ('de-DE', 'de_DE').
_BY_KEY: dict[object, dict[str, _Formatter]] = {}
_BY_ID: dict[str, dict[str, _Formatter]] = {}
# Locale texts come from callers (a request header, say); beyond this many distinct spellings
# new ones still work but are no longer remembered, so the cache cannot grow without bound.
_MAX_KEYS: Final = 4096
# (locale id, currency) -> why the pair is formatted by calling babel instead of the cache.
_FALLBACKS: dict[tuple[str, str], str] = {}


def format_price(money: Money, locale: str | Locale) -> str:
    r"""Format ``money`` for display in ``locale``, exactly as babel's ``format_currency`` does.

    ``locale`` is a babel :class:`~babel.core.Locale` or an identifier: ``'de_DE'`` as babel
    spells it, or a BCP 47 tag such as ``'de-DE'`` (which babel's ``format_currency`` itself
    refuses). The amount is rounded half-even to the currency's CLDR digits for display only;
    round it first with :meth:`Money.quantize` so that what is shown is what is charged.

    >>> format_price(Money("1234.5", "EUR"), "de_DE")
    '1.234,50\xa0€'

    Raises :class:`TypeError` if ``money`` is not a :class:`~xborder.money.Money`,
    :class:`UnknownLocaleError` (a :class:`ValueError`) for a locale babel does not know, and
    :class:`~xborder.errors.InvalidAmountError` for an amount too large to show with the
    currency's digits in 28 significant digits (10**26 USD), where babel raises
    :class:`decimal.InvalidOperation`.
    """
    if not isinstance(money, Money):
        raise TypeError(f"format_price expects a Money, got {type(money).__name__}")
    currency = money.currency
    try:
        formatter = _BY_KEY[locale][currency]
    except (KeyError, TypeError):
        # TypeError: an unhashable locale; _formatter_for reports it properly.
        formatter = _formatter_for(locale, currency)
    return formatter(money.amount)


def babel_swiss_grouping_bug() -> bool:
    """Return whether the installed babel loses apostrophe group separators.

    The probe formats 1,234,567 CHF with babel in the first of ``de_CH``, ``fr_CH``,
    ``it_CH``, ``de_LI``, ``gsw_CH`` whose CLDR group symbol contains an apostrophe, and checks
    whether both separators survive. ``False`` if none of them uses an apostrophe any more.
    """
    return _probe_swiss_grouping_bug()


def babel_fallbacks() -> dict[tuple[str, str], str]:
    """Return the (locale id, currency) pairs formatted by calling babel, and why.

    A pair falls back when its pattern uses a feature the cached formatter does not implement
    (none does in CLDR 49) or when the cached formatter disagreed with babel on a probe
    amount. Only pairs formatted since the last :func:`clear_cache` are listed.
    """
    return dict(_FALLBACKS)


def clear_cache() -> None:
    """Forget every cached formatter and recorded fallback."""
    _BY_KEY.clear()
    _BY_ID.clear()
    _FALLBACKS.clear()


def __getattr__(name: str) -> object:
    # PEP 562: BABEL_SWISS_GROUPING_BUG is computed on first access (see its comment above).
    if name == "BABEL_SWISS_GROUPING_BUG":
        return _probe_swiss_grouping_bug()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- building formatters ------------------------------------------------------------------


def _formatter_for(key: object, currency: str) -> _Formatter:
    """Build (or find) the formatter for ``currency`` in the locale ``key`` names."""
    loc = _parse_locale(key)
    table = _BY_KEY.get(key) if _hashable(key) else None
    if table is None:
        # A Locale subclass may carry its own data under a real identifier: no sharing.
        table = _BY_ID.setdefault(str(loc), {}) if type(loc) is Locale else {}
        if len(_BY_KEY) < _MAX_KEYS and _hashable(key):
            _BY_KEY[key] = table
    formatter = table.get(currency)
    if formatter is None:
        formatter = _build(loc, currency)
        table[currency] = formatter
    return formatter


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _parse_locale(key: object) -> Locale:
    if isinstance(key, Locale):
        return key
    if not isinstance(key, str):
        raise TypeError(f"locale must be a str or babel.Locale, got {type(key).__name__}: {key!r}")
    try:
        return Locale.parse(key)
    except (ValueError, TypeError, _BabelUnknownLocaleError) as exc:
        error: Exception = exc
    if "-" in key:
        # A BCP 47 tag ('de-DE', 'zh-Hant-TW'): babel needs to be told the separator.
        try:
            return Locale.parse(key, sep="-")
        except (ValueError, TypeError, _BabelUnknownLocaleError) as exc:
            error = exc
    if isinstance(error, _BabelUnknownLocaleError):
        reason = "babel (CLDR) has no data for it"
    else:
        reason = str(error).splitlines()[0]
    raise UnknownLocaleError(key, reason=reason) from None


def _build(loc: Locale, currency: str) -> _Formatter:
    """Return a cached-data formatter for the pair, or babel itself if that is not safe."""
    pattern = loc.currency_formats.get("standard")
    reason = _unsupported(loc, pattern, currency)
    if reason is None:
        assert pattern is not None  # _unsupported says why when it is missing
        fast = _fast_formatter(loc, pattern, currency)
        reason = _self_check(loc, currency, fast)
        if reason is None:
            return fast
    _FALLBACKS[(str(loc), currency)] = reason
    return _babel_formatter(loc, currency)


def _unsupported(loc: Locale, pattern: NumberPattern | None, currency: str) -> str | None:
    """Say why the fast formatter cannot render this pair like babel, or return ``None``."""
    if pattern is None:
        return "the locale has no standard currency pattern"
    symbols = loc.number_symbols.get("latn")
    if symbols is None:
        return "the locale has no latn number symbols"
    affixes = "".join(pattern.prefix + pattern.suffix)
    group = symbols.get("group", ",")
    decimal = symbols.get("decimal", ".")
    checks = (
        (pattern.exp_prec is not None, "scientific notation"),
        ("@" in pattern.pattern, "significant-digit pattern"),
        (pattern.scale != 0, "percent or permille scaling"),
        ("*" in pattern.pattern, "padding"),
        (not pattern.number_pattern, "pattern without a number"),
        # The long name depends on the amount's plural category.
        ("¤¤¤" in affixes, "currency long name (¤¤¤)"),
        (min(pattern.grouping) < 1, "empty grouping"),
        (any(c in group + decimal for c in "¤" + _NUMBER), "symbol clashes with the pattern"),
        (_NUMBER in affixes + loc.currency_symbols.get(currency, ""), "private-use character"),
        (get_currency_precision(currency) > 6, "more than 6 fraction digits"),
    )
    for failed, why in checks:
        if failed:
            return why
    return None


def _affixes(pattern: NumberPattern, loc: Locale, currency: str, index: int) -> tuple[str, str]:
    """Return the prefix and suffix text babel writes around the number.

    babel joins prefix, number and suffix, replaces ``¤¤`` and ``¤`` in the whole text, then
    strips pattern quotes from the whole text. Doing the same with a placeholder for the
    number gives babel's affixes for every number that contains no apostrophe, and the
    CLDR-correct ones (number left untouched) for numbers that do.
    """
    text = pattern.prefix[index] + _NUMBER + pattern.suffix[index]
    if "¤" in text:
        text = text.replace("¤¤", currency.upper())
        text = text.replace("¤", loc.currency_symbols.get(currency, currency))
    text = _QUOTED.sub(lambda m: m.group(1) or "'", text)
    prefix, _, suffix = text.partition(_NUMBER)
    return prefix, suffix


def _fast_formatter(loc: Locale, pattern: NumberPattern, currency: str) -> _Formatter:
    """Return a formatter with everything babel looks up per call read once, here."""
    symbols = loc.number_symbols["latn"]
    group: str = symbols.get("group", ",")
    decimal_symbol: str = symbols.get("decimal", ".")
    digits = get_currency_precision(currency)
    quantum = Decimal(1).scaleb(-digits)
    prefix, suffix = _affixes(pattern, loc, currency, 0)
    neg_prefix, neg_suffix = _affixes(pattern, loc, currency, 1)
    primary, secondary = pattern.grouping
    min_int = pattern.int_prec[0]
    cut = -digits - 1  # where the integer part ends in str(quantized) when digits > 0
    quantize = _CTX.quantize
    absolute = _CTX.abs

    def formatter(amount: Decimal) -> str:
        # Like babel: the sign is taken before rounding, so -0 and -0.001 USD show as -$0.00;
        # abs() rounds to 28 significant digits first, as babel's normalize() does.
        try:
            rounded = quantize(absolute(amount), quantum)
        except DecimalException:
            raise _too_large(amount, digits) from None
        # str() never uses exponent notation here: the exponent is -digits, 0 to -6.
        text = str(rounded)
        if digits:
            integer = text[:cut]
            fraction = decimal_symbol + text[-digits:]
        else:
            integer = text
            fraction = ""
        if len(integer) < min_int:
            integer = integer.zfill(min_int)
        if len(integer) > primary:
            parts = [integer[-primary:]]
            integer = integer[:-primary]
            while len(integer) > secondary:
                parts.append(integer[-secondary:])
                integer = integer[:-secondary]
            parts.append(integer)
            parts.reverse()
            integer = group.join(parts)
        if amount.is_signed():
            return neg_prefix + integer + fraction + neg_suffix
        return prefix + integer + fraction + suffix

    return formatter


def _babel_formatter(loc: Locale, currency: str) -> _Formatter:
    """Return a formatter that calls babel, under the same decimal context as the cache."""

    def formatter(amount: Decimal) -> str:
        try:
            with localcontext(_CTX):
                return format_currency(amount, currency, locale=loc)
        except DecimalException:
            raise _too_large(amount, get_currency_precision(currency)) from None

    return formatter


def _too_large(amount: Decimal, digits: int) -> InvalidAmountError:
    return InvalidAmountError(
        amount,
        reason=f"too large to format with {digits} fraction digits in 28 significant digits",
    )


def _babel_quote_bug(text: str) -> str:
    """Return what babel makes of ``text`` when its quote stripping also hits the number."""
    return _QUOTED.sub(lambda m: m.group(1) or "'", text)


def _self_check(loc: Locale, currency: str, fast: _Formatter) -> str | None:
    """Compare ``fast`` with babel on the probe amounts; say why if they disagree.

    A safety net for anything a future babel or CLDR might do that the static checks in
    :func:`_unsupported` do not know about: the pair then falls back to babel. The only
    accepted difference is the apostrophe-grouping bug, and only while it is detected.
    """
    for amount in _PROBES:
        ours = fast(amount)
        with localcontext(_CTX):
            theirs = format_currency(amount, currency, locale=loc)
        if ours == theirs:
            continue
        if "'" in ours and babel_swiss_grouping_bug() and _babel_quote_bug(ours) == theirs:
            continue
        return f"differs from babel for {amount}: {ours!r} != {theirs!r}"
    return None


@cache
def _probe_swiss_grouping_bug() -> bool:
    for identifier in ("de_CH", "fr_CH", "it_CH", "de_LI", "gsw_CH"):
        try:
            loc = Locale.parse(identifier)
        except (ValueError, _BabelUnknownLocaleError):  # pragma: no cover - CLDR dropped it
            continue
        group = loc.number_symbols.get("latn", {}).get("group", ",")
        if "'" not in group:
            continue
        with localcontext(_CTX):
            text = format_currency(Decimal(1234567), "CHF", locale=loc)
        return f"1{group}234{group}567" not in text
    return False  # pragma: no cover - no probe locale groups with an apostrophe
