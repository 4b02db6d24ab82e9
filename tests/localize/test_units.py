"""units: exact conversions, display rounding, babel-identical unit formatting, fallback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from babel import localedata
from babel.core import Locale
from babel.numbers import format_decimal
from babel.units import format_unit
from hypothesis import given
from hypothesis import strategies as st

from xborder.errors import UnknownLocaleError
from xborder.listing import Dimensions, Weight
from xborder.localize import units
from xborder.localize.formatting import babel_swiss_grouping_bug
from xborder.localize.units import (
    DIMENSION_SEPARATOR,
    UNIT_IDS,
    clear_measure_cache,
    format_dimensions,
    format_measure,
    localize_dimensions,
    localize_weight,
    measure_fallbacks,
)

DEMO_LOCALES = (
    "de_DE",
    "fr_FR",
    "en_GB",
    "en_US",
    "ja_JP",
    "en_CA",
    "fr_CA",
    "en_AU",
    "de_CH",
    "sv_SE",
    "pl_PL",
    "es_MX",
)
LENGTHS = ("short", "long", "narrow")
VALUES = tuple(
    Decimal(v)
    for v in (
        "0",
        "1",
        "1.0",
        "1.5",
        "2",
        "3",
        "5",
        "22",
        "0.5",
        "0.001",
        "0.0005",  # half-even: 0
        "0.0015",  # half-even: 0.002
        "12.25",
        "1000",
        "1234.5",
        "100000",
        "-3",
        "-0",
        "1.10",
    )
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_measure_cache()
    yield
    clear_measure_cache()


def weight(value: str, unit: str) -> Weight:
    return Weight(value=Decimal(value), unit=unit)  # type: ignore[arg-type]


def dims(length: str, width: str, height: str, unit: str) -> Dimensions:
    return Dimensions(
        length=Decimal(length),
        width=Decimal(width),
        height=Decimal(height),
        unit=unit,  # type: ignore[arg-type]
    )


def swiss_bug(text: str) -> str:
    """What babel makes of text whose number holds two or more ASCII apostrophes."""
    return re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", text)


# -- localize_weight -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_weight", "measurement", "expected"),
    [
        (weight("350", "g"), "metric", (Decimal("350"), "g")),
        (weight("0.35", "kg"), "metric", (Decimal("350"), "g")),
        (weight("1", "kg"), "metric", (Decimal("1.00"), "kg")),
        (weight("1234.5", "g"), "metric", (Decimal("1.23"), "kg")),
        (weight("999.4", "g"), "metric", (Decimal("999"), "g")),
        (weight("999.5", "g"), "metric", (Decimal("1.00"), "kg")),  # shows 1000 g: use kg
        (weight("1", "lb"), "metric", (Decimal("454"), "g")),  # 453.59237 g
        (weight("2.2", "lb"), "metric", (Decimal("998"), "g")),  # 997.903214 g
        (weight("16", "oz"), "metric", (Decimal("454"), "g")),
        (weight("0.2", "g"), "metric", (Decimal("1"), "g")),  # never shows as 0
        (weight("1.5", "kg"), "US", (Decimal("3.31"), "lb")),  # 3.3069339…
        (weight("1", "kg"), "UK", (Decimal("2.20"), "lb")),  # 2.2046226…
        (weight("2", "lb"), "US", (Decimal("2.00"), "lb")),
        (weight("8", "oz"), "US", (Decimal("8.0"), "oz")),
        (weight("250", "g"), "UK", (Decimal("8.8"), "oz")),  # 8.8184904…
        (weight("100", "g"), "US", (Decimal("3.5"), "oz")),  # 3.5273961…
        (weight("452", "g"), "US", (Decimal("15.9"), "oz")),  # 15.944…
        (weight("452.5", "g"), "US", (Decimal("1.00"), "lb")),  # 15.96 oz shows 16.0: use lb
        (weight("1", "g"), "US", (Decimal("0.1"), "oz")),  # 0.035 oz: never shows as 0
    ],
)
def test_localize_weight(
    given_weight: Weight, measurement: str, expected: tuple[Decimal, str]
) -> None:
    value, unit = localize_weight(given_weight, measurement)  # type: ignore[arg-type]
    assert (value, unit) == expected
    assert value.as_tuple().exponent == expected[0].as_tuple().exponent  # the display step


def test_conversions_use_the_exact_1959_factors() -> None:
    assert weight("1", "lb").grams() == Decimal("453.59237")
    assert weight("1", "oz").grams() * 16 == Decimal("453.59237")
    assert localize_weight(weight("453.59237", "g"), "US") == (Decimal("1.00"), "lb")
    assert localize_weight(weight("28.349523125", "g"), "US") == (Decimal("1.0"), "oz")
    assert localize_dimensions(dims("2.54", "25.4", "254", "cm"), "US") == (
        (Decimal("1.0"), Decimal("10.0"), Decimal("100.0")),
        "in",
    )


def test_rounding_is_half_up_for_display() -> None:
    assert localize_weight(weight("1.005", "kg"), "metric") == (Decimal("1.01"), "kg")
    assert localize_weight(weight("1.015", "kg"), "metric") == (Decimal("1.02"), "kg")
    assert localize_weight(weight("2.5", "g"), "metric") == (Decimal("3"), "g")


def test_the_ambient_decimal_context_does_not_matter() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = ROUND_DOWN
        assert localize_weight(weight("1.5", "kg"), "US") == (Decimal("3.31"), "lb")
        assert format_measure(Decimal("0.0015"), "kg", "en_US") == "0.002 kg"


# -- localize_dimensions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_dims", "measurement", "sides", "unit"),
    [
        (dims("12", "9", "10", "cm"), "metric", "12.0 9.0 10.0", "cm"),
        (dims("120", "95", "4", "mm"), "metric", "12.0 9.5 0.4", "cm"),
        (dims("8", "5", "0.4", "mm"), "metric", "8 5 1", "mm"),  # all under 1 cm: mm
        (dims("0.5", "0.3", "0.1", "cm"), "metric", "5 3 1", "mm"),
        (dims("12", "9", "10", "in"), "metric", "30.5 22.9 25.4", "cm"),
        (dims("30", "20", "10", "cm"), "US", "11.8 7.9 3.9", "in"),
        (dims("12", "9", "10", "in"), "UK", "12.0 9.0 10.0", "in"),
        (dims("1", "1", "0.1", "mm"), "US", "0.1 0.1 0.1", "in"),  # never shows as 0
    ],
)
def test_localize_dimensions(
    given_dims: Dimensions, measurement: str, sides: str, unit: str
) -> None:
    expected = tuple(Decimal(side) for side in sides.split())
    assert localize_dimensions(given_dims, measurement) == (expected, unit)  # type: ignore[arg-type]


@pytest.mark.parametrize("measurement", ["imperial", "us", "Metric", None])
def test_unknown_measurement_systems_are_refused(measurement: object) -> None:
    with pytest.raises(ValueError, match="measurement"):
        localize_weight(weight("1", "kg"), measurement)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="measurement"):
        localize_dimensions(dims("1", "1", "1", "cm"), measurement)  # type: ignore[arg-type]


# -- format_measure ------------------------------------------------------------------------


@pytest.mark.parametrize("locale", DEMO_LOCALES)
def test_format_measure_equals_babel(locale: str) -> None:
    for unit, unit_id in UNIT_IDS.items():
        for length in LENGTHS:
            for value in VALUES:
                ours = format_measure(value, unit, locale, length=length)  # type: ignore[arg-type]
                theirs = format_unit(value, unit_id, length=length, locale=locale)  # type: ignore[arg-type]
                assert ours == theirs, (locale, unit, length, value)
    assert measure_fallbacks() == {}


def test_integers_format_like_decimals() -> None:
    for value in (1, 2, 5, 1000, -3):
        assert format_measure(value, "lb", "pl_PL") == format_unit(
            value, "mass-pound", length="short", locale="pl_PL"
        )


def test_plural_forms_follow_the_value_as_given() -> None:
    # CLDR plural operands see visible decimals: "1" is one, "1.0" is other.
    assert format_measure(Decimal("1"), "lb", "pl_PL") == "1 funt"
    assert format_measure(Decimal("1.0"), "lb", "pl_PL") == "1 funta"
    assert format_measure(Decimal("2"), "lb", "pl_PL") == "2 funty"
    assert format_measure(Decimal("5"), "lb", "pl_PL") == "5 funtów"
    assert format_measure(Decimal("1"), "kg", "en_US", length="long") == "1 kilogram"
    assert format_measure(Decimal("1.5"), "kg", "en_US", length="long") == "1.5 kilograms"


def test_swiss_grouping_is_cldr_correct_where_babel_loses_it() -> None:
    value = Decimal("1234567.891")
    ours = format_measure(value, "kg", "de_CH")
    assert ours == "1'234'567.891 kg"
    theirs = format_unit(value, "mass-kilogram", length="short", locale="de_CH")
    if babel_swiss_grouping_bug():
        assert theirs == swiss_bug(ours) == "1234567.891 kg"
    else:  # pragma: no cover - a babel with the bug fixed
        assert theirs == ours


@pytest.mark.parametrize("locale", ["de_DE", "fr_CA", "pl_PL", "ja_JP", "de_CH", "en_US"])
@given(
    value=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=4
    ),
    length=st.sampled_from(LENGTHS),
)
def test_format_measure_equals_babel_for_any_value(
    locale: str, value: Decimal, length: str
) -> None:
    ours = format_measure(value, "lb", locale, length=length)  # type: ignore[arg-type]
    theirs = format_unit(value, "mass-pound", length=length, locale=locale)  # type: ignore[arg-type]
    assert theirs in (ours, swiss_bug(ours))


def test_locales_and_units_can_be_given_in_several_spellings() -> None:
    expected = "1,5 kg"
    assert format_measure(Decimal("1.5"), "kg", "de_DE") == expected
    assert format_measure(Decimal("1.5"), "kg", "de-DE") == expected
    assert format_measure(Decimal("1.5"), "kg", Locale.parse("de_DE")) == expected
    assert format_measure(Decimal("1.5"), "mass-kilogram", "de_DE") == expected


@pytest.mark.parametrize("value", [1.5, "1.5", True, None])
def test_non_decimal_values_are_refused(value: object) -> None:
    with pytest.raises(TypeError, match="Decimal or int"):
        format_measure(value, "kg", "de_DE")  # type: ignore[arg-type]


def test_unknown_units_lengths_and_locales_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown unit 'stone'.*kg, g, lb"):
        format_measure(Decimal(1), "stone", "en_GB")
    with pytest.raises(ValueError, match="length"):
        format_measure(Decimal(1), "kg", "en_GB", length="tiny")  # type: ignore[arg-type]
    with pytest.raises(UnknownLocaleError):
        format_measure(Decimal(1), "kg", "xx_YY")


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "sNaN"])
def test_non_finite_values_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        format_measure(Decimal(value), "kg", "de_DE")
    with pytest.raises(ValueError, match="finite"):
        format_dimensions([Decimal(1), Decimal(value)], "kg", "de_DE")


def test_formatters_are_cached_per_locale_unit_and_length() -> None:
    format_measure(Decimal(1), "kg", "de_DE")
    format_measure(Decimal(2), "kg", "de_DE")
    format_measure(Decimal(1), "kg", "de_DE", length="long")
    assert set(units._FORMATTERS) == {("de_DE", "kg", "short"), ("de_DE", "kg", "long")}
    clear_measure_cache()
    assert units._FORMATTERS == {}


def test_a_formatter_that_disagrees_with_babel_falls_back_to_babel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = units._fast_measure

    def broken(loc: Locale, unit_id: str, length: str) -> units._Measure:
        measure = real(loc, unit_id, length)
        measure.affixes = {"other": ("", " kilos")}
        measure.constant = ("", " kilos")
        return measure

    monkeypatch.setattr(units, "_fast_measure", broken)
    assert format_measure(Decimal("1.5"), "kg", "de_DE") == "1,5 kg"
    reason = measure_fallbacks()[("de_DE", "mass-kilogram", "short")]
    assert reason.startswith("differs from babel for 0")
    assert format_dimensions([Decimal(12), Decimal(9)], "kg", "de_DE") == "12 × 9 kg"


def test_an_exotic_pattern_falls_back_to_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "_unsupported", lambda loc, unit_id, length: "scientific notation")
    for value in VALUES:
        assert format_measure(value, "lb", "pl_PL") == format_unit(
            value, "mass-pound", length="short", locale="pl_PL"
        )
    assert measure_fallbacks() == {("pl_PL", "mass-pound", "short"): "scientific notation"}


def test_every_demo_pattern_is_handled_without_fallback() -> None:
    for locale in DEMO_LOCALES:
        loc = Locale.parse(locale)
        for unit_id in UNIT_IDS.values():
            for length in LENGTHS:
                assert units._unsupported(loc, unit_id, length) is None, (locale, unit_id)


# -- format_dimensions ---------------------------------------------------------------------


def test_format_dimensions() -> None:
    values = [Decimal("12"), Decimal("9"), Decimal("10")]
    assert DIMENSION_SEPARATOR == " × "
    assert format_dimensions(values, "cm", "en_US") == "12 × 9 × 10 cm"
    assert format_dimensions(values, "cm", "fr_FR") == "12 × 9 × 10\u202fcm"
    assert format_dimensions([Decimal("30.5"), Decimal("22.9")], "cm", "de_DE") == "30,5 × 22,9 cm"
    assert format_dimensions(values, "in", "en_US", length="long") == "12 × 9 × 10 inches"
    assert format_dimensions([Decimal("1.5")], "kg", "de_DE") == "1,5 kg"


def test_format_dimensions_takes_the_plural_of_the_last_value() -> None:
    assert format_dimensions([Decimal(5), Decimal(2)], "in", "pl_PL") == "5 × 2 cale"
    assert format_dimensions([Decimal(2), Decimal(5)], "in", "pl_PL") == "2 × 5 cali"


def test_format_dimensions_matches_format_measure_for_the_last_value() -> None:
    for locale in DEMO_LOCALES:  # all of them write the number first
        for unit in ("cm", "mm", "in"):
            last = format_measure(Decimal("10.5"), unit, locale)
            joined = format_dimensions([Decimal("12"), Decimal("10.5")], unit, locale)
            assert joined == "12" + DIMENSION_SEPARATOR + last


def test_format_dimensions_refuses_bad_values() -> None:
    with pytest.raises(ValueError, match="at least one"):
        format_dimensions([], "cm", "en_US")
    with pytest.raises(TypeError):
        format_dimensions([Decimal(1), 2.5], "cm", "en_US")  # type: ignore[list-item]


def test_format_dimensions_keeps_a_number_the_plural_form_spells_out() -> None:
    # CLDR Arabic writes two centimetres as the dual "سنتيمتران" and one gram as "غرام",
    # with no {0}: babel formats these locales (measure_fallbacks), and the list takes the
    # 'other' form instead, which keeps the number.
    cm = [Decimal(12), Decimal(9), Decimal(2)]
    assert format_dimensions(cm, "cm", "ar_SA", length="long") == "12 × 9 × 2 سنتيمتر"
    assert format_dimensions([Decimal(12), Decimal(9), Decimal(1)], "g", "ar_SA") == (
        "12 × 9 × 1 غرام"
    )
    assert format_dimensions([Decimal(2)], "g", "ar_SA") == "2 غرام"
    # The forms that hold {0} stay; one value alone is still exactly babel's.
    assert format_dimensions([Decimal(12), Decimal(5)], "g", "ar_SA") == "12 × 5 غرامات"
    assert format_measure(Decimal(2), "cm", "ar_SA", length="long") == "سنتيمتران"
    assert format_measure(Decimal(1), "g", "ar_SA") == "غرام"
    assert measure_fallbacks() == {
        ("ar_SA", "length-centimeter", "long"): "pattern without {0}",
        ("ar_SA", "mass-gram", "short"): "pattern without {0}",
    }


def _distinct_locales() -> list[str]:
    """One babel locale for each distinct set of the data unit formatting reads.

    Most of babel's ~1,150 locales share their decimal pattern, symbols, plural rules and
    unit patterns with others (en_150, en_AG, …): building and checking the formatters of
    each one takes ~9 s, of one per distinct set ~2 s.
    """
    distinct: dict[str, str] = {}
    for identifier in localedata.locale_identifiers():
        loc = Locale.parse(identifier)
        pattern = loc.decimal_formats.get(None)
        key = repr(
            (
                pattern.pattern if pattern is not None else None,
                sorted((loc.number_symbols.get("latn") or {}).items()),
                sorted(loc.plural_form.rules.items()),
                [
                    sorted(loc._data["unit_patterns"].get(unit_id, {}).get(length, {}).items())
                    for unit_id in UNIT_IDS.values()
                    for length in LENGTHS
                ],
            )
        )
        distinct.setdefault(key, identifier)
    return list(distinct.values())


def test_format_dimensions_keeps_every_number_in_every_locale() -> None:
    lasts = [Decimal(v) for v in ("0", "1", "2", "3", "11", "100", "1.5", "0.5")]
    reasons: set[str] = set()
    for locale in _distinct_locales():
        clear_measure_cache()  # beyond 4,096 formatters none is cached: keep them few
        for last in lasts:
            for values in ([last], [Decimal(12), Decimal(9), last]):
                numbers = DIMENSION_SEPARATOR.join(format_decimal(v, locale=locale) for v in values)
                for unit in UNIT_IDS:
                    for length in LENGTHS:
                        text = format_dimensions(values, unit, locale, length=length)  # type: ignore[arg-type]
                        assert numbers in text, (locale, unit, length, values, text)
        reasons.update(measure_fallbacks().values())
    assert "pattern without {0}" in reasons  # the babel path was tested too


def test_localized_values_format_end_to_end() -> None:
    value, unit = localize_weight(weight("1.5", "kg"), "US")
    assert format_measure(value, unit, "en_US") == "3.31 lb"
    sides, unit = localize_dimensions(dims("12", "9", "10", "in"), "metric")
    assert format_dimensions(sides, unit, "de_DE") == "30,5 × 22,9 × 25,4 cm"
    value, unit = localize_weight(weight("1", "kg"), "metric")
    assert format_measure(value, unit, "fr_FR") == "1\u202fkg"  # Decimal("1.00"): no zeros
