"""Weights and dimensions in the buyer's measurement system, formatted the CLDR way.

:func:`localize_weight` and :func:`localize_dimensions` convert a listing's
:class:`~xborder.listing.Weight` and :class:`~xborder.listing.Dimensions` exactly, with the
factors fixed by the international yard and pound agreement of 1959 (1 lb = 0.45359237 kg,
so 1 oz = 28.349523125 g; 1 in = 2.54 cm; NIST SP 811, appendix B), and round only the value
returned for display:

=========  =======================================  ==============
system     unit                                     display step
=========  =======================================  ==============
metric     kg from 1 kg, else g                     0.01 kg, 1 g
metric     cm; mm when every side is under 1 cm     0.1 cm, 1 mm
US, UK     lb from 1 lb (16 oz), else oz            0.01 lb, 0.1 oz
US, UK     in                                       0.1 in
=========  =======================================  ==============

Rounding is half-up, and a positive quantity never shows as 0 (it shows one step). Which
system a country uses is the markets' business (``measurement_for_country``); these
functions take it as a parameter.

:func:`format_measure` returns what ``babel.units.format_unit(value, unit_id,
length=length, locale=locale)`` returns (trailing zeros dropped, at most 3 decimals, the
locale's plural form), but from patterns read once per (locale, unit, length): a few µs per
call instead of babel's ~12-20 µs. As in :func:`xborder.localize.format_price`, the one
deliberate difference is babel's Swiss grouping bug: from 1,000,000 up, ``de_CH`` and the
other apostrophe-grouping locales get the CLDR-correct ``1'000'000 kg`` where babel drops
the separators. :func:`format_dimensions` writes ``12 × 9 × 10 cm``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext
from types import MappingProxyType
from typing import Final, Literal

from babel.core import Locale
from babel.numbers import NumberPattern, format_decimal
from babel.units import format_unit

from xborder.listing import Dimensions, Weight
from xborder.localize.formatting import _CTX, _parse_locale, babel_swiss_grouping_bug

__all__ = [
    "DIMENSION_SEPARATOR",
    "UNIT_IDS",
    "Measurement",
    "clear_measure_cache",
    "format_dimensions",
    "format_measure",
    "localize_dimensions",
    "localize_weight",
    "measure_fallbacks",
]

Measurement = Literal["metric", "US", "UK"]
UnitLength = Literal["short", "long", "narrow"]

#: xborder's unit names and the CLDR unit ids they stand for.
UNIT_IDS: Final = MappingProxyType(
    {
        "kg": "mass-kilogram",
        "g": "mass-gram",
        "lb": "mass-pound",
        "oz": "mass-ounce",
        "cm": "length-centimeter",
        "mm": "length-millimeter",
        "in": "length-inch",
        "ml": "volume-milliliter",
        "l": "volume-liter",
        "fl_oz": "volume-fluid-ounce",  # the US fluid ounce
    }
)
#: Between the values of :func:`format_dimensions`: a multiplication sign between spaces.
#: CLDR has no pattern for "length by width by height"; "×" is what packaging and the
#: marketplaces' own size fields use in every locale xborder serves.
DIMENSION_SEPARATOR: Final = " × "

# Exact by definition (1959 international yard and pound agreement; NIST SP 811).
_GRAMS_PER_POUND: Final = Decimal("453.59237")
_GRAMS_PER_OUNCE: Final = Decimal("28.349523125")  # 1/16 lb
_MM_PER_INCH: Final = Decimal("25.4")
_MM_PER: Final = {"mm": Decimal(1), "cm": Decimal(10), "in": _MM_PER_INCH}
_STEP: Final = {
    "kg": Decimal("0.01"),
    "g": Decimal(1),
    "lb": Decimal("0.01"),
    "oz": Decimal("0.1"),
    "cm": Decimal("0.1"),
    "mm": Decimal(1),
    "in": Decimal("0.1"),
}
_MEASUREMENTS: Final = frozenset({"metric", "US", "UK"})
_LENGTHS: Final = frozenset({"short", "long", "narrow"})


def localize_weight(weight: Weight, measurement: Measurement) -> tuple[Decimal, str]:
    """Return ``weight`` in the ``measurement`` system, rounded for display, and its unit.

    >>> localize_weight(Weight(value=Decimal("1.5"), unit="kg"), "US")
    (Decimal('3.31'), 'lb')
    >>> localize_weight(Weight(value=Decimal("250"), unit="g"), "UK")
    (Decimal('8.8'), 'oz')
    """
    _check_measurement(measurement)
    grams = weight.grams()
    if measurement == "metric":
        if _display(grams, "g") >= 1000:
            return _display(_divide(grams, Decimal(1000)), "kg"), "kg"
        return _display(grams, "g"), "g"
    ounces = _divide(grams, _GRAMS_PER_OUNCE)
    if _display(ounces, "oz") >= 16:
        return _display(_divide(grams, _GRAMS_PER_POUND), "lb"), "lb"
    return _display(ounces, "oz"), "oz"


def localize_dimensions(
    dims: Dimensions, measurement: Measurement
) -> tuple[tuple[Decimal, Decimal, Decimal], str]:
    """Return length, width and height in the ``measurement`` system, and their one unit.

    Metric uses cm, or mm when every side is under 1 cm; US and UK use inches.

    >>> localize_dimensions(Dimensions(length=12, width=9, height=10, unit="in"), "metric")
    ((Decimal('30.5'), Decimal('22.9'), Decimal('25.4')), 'cm')
    """
    _check_measurement(measurement)
    source = dims.unit
    sides = (dims.length, dims.width, dims.height)
    if measurement == "metric":
        unit = "cm"
        values = [_convert(side, source, "cm") for side in sides]
        if max(values) < _ONE_CM_IN_CM:
            unit = "mm"
            values = [_convert(side, source, "mm") for side in sides]
    else:
        unit = "in"
        values = [_convert(side, source, "in") for side in sides]
    step = _STEP[unit]
    length, width, height = (_round(value, step) for value in values)
    return (length, width, height), unit


# Conversions go through the exact millimetres-per-unit table: one multiplication and, unless
# the target is the millimetre, one division in the fixed 28-digit context (exact except for
# inches, whose ratio to the metre is not a finite decimal fraction, and rounded for display
# only afterwards).
_ONE_CM_IN_CM: Final = Decimal("0.95")  # rounds up to 1.0 cm: below that, show millimetres
_RATIO: Final = {
    (a, b): (_MM_PER[a], _MM_PER[b]) for a in ("mm", "cm", "in") for b in ("mm", "cm", "in")
}


def _convert(value: Decimal, source: str, target: str) -> Decimal:
    if source == target:
        return value
    numerator, denominator = _RATIO[source, target]
    product = _CTX.multiply(value, numerator)
    return product if denominator == 1 else _CTX.divide(product, denominator)


def _round(value: Decimal, step: Decimal) -> Decimal:
    rounded = value.quantize(step, rounding=ROUND_HALF_UP, context=_CTX)
    return step if value > 0 and rounded < step else rounded


def _check_measurement(measurement: object) -> None:
    if measurement not in _MEASUREMENTS:
        raise ValueError(f"measurement: expected 'metric', 'US' or 'UK', got {measurement!r}")


def _divide(value: Decimal, divisor: Decimal) -> Decimal:
    return _CTX.divide(value, divisor)  # 28 significant digits, whatever the ambient context


def _display(value: Decimal, unit: str) -> Decimal:
    return _round(value, _STEP[unit])


# -- formatting ----------------------------------------------------------------------------

_NUMBER: Final = "\ue000"  # stands for the number while affixes are computed
_QUOTED: Final = re.compile(r"'([^']*)'")
_PLURALS: Final = ("zero", "one", "two", "few", "many", "other")
# Compared with babel when a formatter is built: plural forms of the demo locales, rounding
# (half-even at the third decimal), a group, a negative, and a value whose groups hit
# babel's apostrophe bug in Swiss locales.
_PROBE_TEXT: Final = "0 1 1.5 2 3 5 0.5 12.25 1000 22 -1234.5675 1000000.125"
_PROBES: Final = tuple(Decimal(v) for v in _PROBE_TEXT.split())
_MAX_KEYS: Final = 4096

_Key = tuple[object, str, str]
_FORMATTERS: dict[_Key, _Measure] = {}
_FALLBACKS: dict[tuple[str, str, str], str] = {}


def format_measure(
    value: Decimal | int, unit: str, locale: str | Locale, *, length: UnitLength = "short"
) -> str:
    r"""Format ``value`` ``unit`` for ``locale`` as ``babel.units.format_unit`` does.

    ``unit`` is one of :data:`UNIT_IDS` (``"kg"``, ``"cm"``, ``"fl_oz"``…) or a CLDR unit id
    (``"mass-kilogram"``); ``locale`` a babel :class:`~babel.core.Locale` or an identifier
    (``"de_DE"`` or ``"de-DE"``); ``length`` ``"short"``, ``"long"`` or ``"narrow"``.

    >>> format_measure(Decimal("1.5"), "kg", "de_DE")
    '1,5 kg'
    >>> format_measure(Decimal("12.25"), "cm", "fr_FR", length="long")
    '12,25\xa0centimètres'

    Raises :class:`TypeError` for a float or other non-decimal value (convert with
    ``Decimal(str(x))``), :class:`ValueError` for NaN or infinity, an unknown unit or length,
    and
    :class:`~xborder.errors.UnknownLocaleError` for a locale babel does not know.
    """
    _check_value(value)
    try:
        measure = _FORMATTERS[(locale, unit, length)]
    except (KeyError, TypeError):
        measure = _measure_for(locale, unit, length)
    return measure.format(value)


def format_dimensions(
    values: Sequence[Decimal | int],
    unit: str,
    locale: str | Locale,
    *,
    length: UnitLength = "short",
) -> str:
    """Format several values of one unit, ``12 × 9 × 10 cm``, as CLDR would format the last.

    The numbers are formatted as by :func:`format_measure`, joined by
    :data:`DIMENSION_SEPARATOR`, and the whole wrapped in the unit pattern (and plural form)
    of the last value, so a locale that writes the unit first writes it first here too.
    Every number is kept: where that plural form spells its number out (Arabic "غرام", one
    gram; "سنتيمتران", two centimetres) the ``other`` form is used, ``12 × 9 × 2 سنتيمتر``.

    >>> format_dimensions([Decimal("30.5"), Decimal("22.9"), Decimal("25.4")], "cm", "de_DE")
    '30,5 × 22,9 × 25,4 cm'
    """
    if not values:
        raise ValueError("format_dimensions needs at least one value")
    for value in values:
        _check_value(value)
    try:
        measure = _FORMATTERS[(locale, unit, length)]
    except (KeyError, TypeError):
        measure = _measure_for(locale, unit, length)
    return measure.format_many(values)


def _check_value(value: object) -> None:
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise TypeError(f"value must be a Decimal or int, got {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"value must be a finite number, got {value}")


def measure_fallbacks() -> dict[tuple[str, str, str], str]:
    """Return the (locale id, CLDR unit id, length) formatted by calling babel, and why."""
    return dict(_FALLBACKS)


def clear_measure_cache() -> None:
    """Forget every cached unit formatter and recorded fallback."""
    _FORMATTERS.clear()
    _FALLBACKS.clear()


class _Measure:
    """Formats one (locale, unit, length): babel's work with everything looked up once."""

    def __init__(
        self,
        number: Callable[[Decimal | int], str],
        affixes: dict[str, tuple[str, str]],
        plural: Callable[[Decimal | int], str],
    ) -> None:
        self.number = number
        self.affixes = affixes
        self.constant = affixes["other"] if len(set(affixes.values())) == 1 else None
        self.plural = plural
        self.plurals: dict[str, str] = {}  # str(value) -> category; '1' and '1.0' differ
        # Formatted numbers per value: catalogs repeat the same sizes and weights. Keyed by
        # the value's text, since Decimal('1') and Decimal('1.0') format differently.
        self.numbers: dict[str, str] = {}

    def format(self, value: Decimal | int) -> str:
        prefix, suffix = self.constant or self._affixes(value)
        return prefix + self._number(value) + suffix

    def format_many(self, values: Sequence[Decimal | int]) -> str:
        prefix, suffix = self.constant or self._affixes(values[-1])
        return prefix + DIMENSION_SEPARATOR.join([self._number(v) for v in values]) + suffix

    def _number(self, value: Decimal | int) -> str:
        key = str(value)
        text = self.numbers.get(key)
        if text is None:
            if len(self.numbers) >= 4096:
                self.numbers.clear()
            text = self.numbers[key] = self.number(value)
        return text

    def _affixes(self, value: Decimal | int) -> tuple[str, str]:
        key = str(value)
        category = self.plurals.get(key)
        if category is None:
            if len(self.plurals) >= 1024:
                self.plurals.clear()
            category = self.plurals[key] = self.plural(value)
        return self.affixes.get(category) or self.affixes["other"]


def _measure_for(locale: object, unit: str, length: str) -> _Measure:
    if length not in _LENGTHS:
        raise ValueError(f"length: expected 'short', 'long' or 'narrow', got {length!r}")
    unit_id = UNIT_IDS.get(unit) or (unit if unit in UNIT_IDS.values() else None)
    if unit_id is None:
        known = ", ".join(UNIT_IDS)
        raise ValueError(f"unit: unknown unit {unit!r}; use one of {known} or its CLDR id")
    loc = _parse_locale(locale)
    measure = _build(loc, unit_id, length)
    if len(_FORMATTERS) < _MAX_KEYS:
        with contextlib.suppress(TypeError):  # an unhashable Locale subclass: not cached
            _FORMATTERS[(locale, unit, length)] = measure
    return measure


def _build(loc: Locale, unit_id: str, length: str) -> _Measure:
    reason = _unsupported(loc, unit_id, length)
    if reason is None:
        fast = _fast_measure(loc, unit_id, length)
        reason = _self_check(loc, unit_id, length, fast)
        if reason is None:
            return fast
    _FALLBACKS[(str(loc), unit_id, length)] = reason
    return _babel_measure(loc, unit_id, length)


def _unsupported(loc: Locale, unit_id: str, length: str) -> str | None:
    pattern: NumberPattern | None = loc.decimal_formats.get(None)
    patterns = loc._data["unit_patterns"].get(unit_id, {}).get(length, {})
    if pattern is None:
        return "the locale has no decimal pattern"
    symbols = loc.number_symbols.get("latn")
    checks = (
        (symbols is None, "no latn number symbols"),
        (not patterns.get("other"), f"no {length} 'other' pattern for {unit_id}"),
        (pattern.exp_prec is not None, "scientific notation"),
        ("@" in pattern.pattern or "*" in pattern.pattern, "significant digits or padding"),
        (pattern.scale != 0 or not pattern.number_pattern, "scaled or number-less pattern"),
        (min(pattern.grouping) < 1 or pattern.frac_prec[1] > 6, "unusual grouping or digits"),
        (any("{0}" not in p for k, p in patterns.items() if k != "per"), "pattern without {0}"),
    )
    return next((why for failed, why in checks if failed), None)


def _fast_measure(loc: Locale, unit_id: str, length: str) -> _Measure:
    pattern: NumberPattern = loc.decimal_formats[None]
    symbols = loc.number_symbols["latn"]
    group: str = symbols.get("group", ",")
    decimal_symbol: str = symbols.get("decimal", ".")
    min_frac, max_frac = pattern.frac_prec
    quantum = Decimal(1).scaleb(-max_frac)
    min_int = pattern.int_prec[0]
    primary, secondary = pattern.grouping
    signs = [_strip_quotes(pattern.prefix[i] + _NUMBER + pattern.suffix[i]) for i in (0, 1)]
    (prefix, suffix), (neg_prefix, neg_suffix) = (s.partition(_NUMBER)[::2] for s in signs)

    def number(value: Decimal | int) -> str:
        value = Decimal(value)
        # As babel: sign first, then abs() and normalize() and quantize() at 28 digits.
        rounded = _CTX.quantize(_CTX.normalize(_CTX.abs(value)), quantum)
        integer, _, fraction = f"{rounded:f}".partition(".")
        integer = integer.zfill(min_int)
        if len(integer) > primary:
            parts, integer = [integer[-primary:]], integer[:-primary]
            while len(integer) > secondary:
                parts.append(integer[-secondary:])
                integer = integer[:-secondary]
            integer = group.join([integer, *reversed(parts)])
        fraction = fraction.ljust(min_frac, "0")
        if max_frac == 0 or (min_frac == 0 and not fraction.strip("0")):
            fraction = ""
        else:
            fraction = decimal_symbol + fraction[:min_frac] + fraction[min_frac:].rstrip("0")
        if value.is_signed():
            return neg_prefix + integer + fraction + neg_suffix
        return prefix + integer + fraction + suffix

    patterns = loc._data["unit_patterns"][unit_id][length]
    affixes = {}
    for category in _PLURALS:
        text = patterns.get(category) or patterns["other"]
        before, _, after = text.format(_NUMBER).partition(_NUMBER)
        affixes[category] = (before, after)
    return _Measure(_safe(number, loc), affixes, loc.plural_form)


def _safe(number: Callable[[Decimal | int], str], loc: Locale) -> Callable[[Decimal | int], str]:
    def safe(value: Decimal | int) -> str:
        try:
            return number(value)
        except DecimalException:  # more digits than 28: let babel say so, as it would
            with localcontext(_CTX):
                return format_decimal(value, locale=loc)

    return safe


def _strip_quotes(text: str) -> str:
    return _QUOTED.sub(lambda m: m.group(1) or "'", text)


def _babel_measure(loc: Locale, unit_id: str, length: str) -> _Measure:
    """Return a formatter that calls babel for everything.

    One value is exactly what ``format_unit`` returns. Several are wrapped in the unit
    pattern babel would pick for the last value, as the fast path does, except that a
    pattern without the number is replaced by ``other`` (see :func:`_list_pattern`).
    """
    # The same lookup as format_unit's (LocaleDataDict.get resolves CLDR aliases).
    patterns = loc._data["unit_patterns"].get(unit_id, {}).get(length, {})

    def call(value: Decimal | int) -> str:
        with localcontext(_CTX):
            return format_unit(value, unit_id, length=length, locale=loc)  # type: ignore[arg-type]

    def number(value: Decimal | int) -> str:
        with localcontext(_CTX):
            return format_decimal(value, locale=loc)

    class _Babel(_Measure):
        def format(self, value: Decimal | int) -> str:
            return call(value)

        def format_many(self, values: Sequence[Decimal | int]) -> str:
            numbers = [number(v) for v in values]
            pattern = _list_pattern(patterns, self.plural(values[-1]))
            if pattern is not None:
                return pattern.format(DIMENSION_SEPARATOR.join(numbers))
            # No pattern holds {0} (not so in babel 2.19's CLDR for any unit of UNIT_IDS):
            # format_unit then writes "number unit-name"; should its text lack the number,
            # keep it all the same.
            last = call(values[-1])
            if numbers[-1] not in last:
                last = f"{numbers[-1]} {last}"
            return DIMENSION_SEPARATOR.join([*numbers[:-1], last])

    return _Babel(number, {"other": ("", "")}, loc.plural_form)


def _list_pattern(patterns: Mapping[str, str], category: str) -> str | None:
    """Return the unit pattern that wraps a list of numbers whose last is of ``category``.

    CLDR lets a plural form spell its number out in the unit word: Arabic writes one gram
    as "غرام" and two centimetres as the dual "سنتيمتران", with no {0}. Such a pattern
    stands for that one value; wrapped around "12 × 9 × 2" it would drop the 2. The form
    then used is ``other``: every CLDR unit has it, it is what format_unit falls back to for
    a missing form (LDML "lateral inheritance"), and for every unit of UNIT_IDS in every
    locale of babel 2.19 it holds {0} ("{0} سنتيمتر", Arabic's form after 100 or 1.5).
    """
    for key in (category, "other"):
        pattern = patterns.get(key)
        if pattern and "{0}" in pattern:
            return pattern
    return None


def _self_check(loc: Locale, unit_id: str, length: str, fast: _Measure) -> str | None:
    """Compare ``fast`` with babel on the probe values; say why if they differ.

    The only accepted difference is babel's apostrophe-grouping bug, while it is detected.
    """
    for value in _PROBES:
        ours = fast.format(value)
        with localcontext(_CTX):
            theirs = format_unit(value, unit_id, length=length, locale=loc)  # type: ignore[arg-type]
        if ours == theirs:
            continue
        if "'" in ours and babel_swiss_grouping_bug() and _strip_quotes(ours) == theirs:
            continue
        return f"differs from babel for {value}: {ours!r} != {theirs!r}"
    return None
