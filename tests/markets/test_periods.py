"""Dated market facts: the packaged periods are well formed, sourced, and looked up right."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from xborder.markets import (
    FACT_NAMES,
    Collection,
    DatedFact,
    Period,
    dated_facts,
    lookup,
    markets_with_facts,
)
from xborder.markets._periods import _data

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "sync_facts.py"
HISTORY = ROOT / "scripts" / "market_history.json"
PACKAGE_DATA = ROOT / "src" / "xborder" / "data"
ALL_CODES = ("EU", *markets_with_facts())


def _all_facts() -> Iterator[tuple[str, DatedFact[Any], str, tuple[Period[Any], ...]]]:
    for code in ALL_CODES:
        for fact in dated_facts(code).values():
            yield code, fact, "", fact.periods
            for origin, periods in fact.by_origin:
                yield code, fact, origin, periods


FACT_IDS = [f"{c}.{f.name}{'@' + o if o else ''}" for c, f, o, _ in _all_facts()]


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_facts", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the package data cannot drift from the facts -----------------------------------------


def test_packaged_periods_equal_what_the_generator_builds(script: ModuleType) -> None:
    # Built from the *packaged* copy of the facts (never ../shared), plus the supplement.
    built = script.render_periods(script.build_periods(PACKAGE_DATA / "facts", HISTORY))
    shipped = (PACKAGE_DATA / "market_periods.json").read_text(encoding="utf-8")
    assert built == shipped, "run: .venv/bin/python scripts/sync_facts.py --periods-only"


def test_generator_is_deterministic(script: ModuleType) -> None:
    first = script.render_periods(script.build_periods(PACKAGE_DATA / "facts", HISTORY))
    second = script.render_periods(script.build_periods(PACKAGE_DATA / "facts", HISTORY))
    assert first == second


def test_generator_refuses_a_supplement_that_disagrees_with_the_facts(
    script: ModuleType, tmp_path: Path
) -> None:
    history = json.loads(HISTORY.read_text(encoding="utf-8"))
    for entry in history["entries"]:
        if (entry["market"], entry["fact"]) == ("US", "duty_de_minimis"):
            entry["periods"][1]["effective_from"] = "2025-08-30"  # the facts say 2025-08-29
    bad = tmp_path / "history.json"
    bad.write_text(json.dumps(history), encoding="utf-8")
    with pytest.raises(script.FactsError, match=r"US\.duty_de_minimis.*2025-08-29"):
        script.build_periods(PACKAGE_DATA / "facts", bad)


def test_generator_refuses_unsourced_and_unordered_periods(script: ModuleType) -> None:
    period = {"effective_from": "2020-01-01", "value": 1, "as_of": "2026-11-28"}
    with pytest.raises(script.FactsError, match="no source"):
        script._finish([{**period, "source": []}], "XX.f")
    later = {**period, "source": ["https://example.org"]}
    earlier = {**later, "effective_from": "2019-01-01"}
    with pytest.raises(script.FactsError, match="date order"):
        script._finish([later, earlier], "XX.f")
    unknown_start = {**later, "effective_from": None}
    with pytest.raises(script.FactsError, match=r"only the first|date order"):
        script._finish([later, unknown_start], "XX.f")


def _floats(value: object) -> int:
    if isinstance(value, float):
        return 1
    if isinstance(value, dict):
        return sum(_floats(v) for v in value.values())
    if isinstance(value, list):
        return sum(_floats(v) for v in value)
    return 0


def test_package_data_is_read_without_floats() -> None:
    text = (PACKAGE_DATA / "market_periods.json").read_text(encoding="utf-8")
    assert _floats(json.loads(text)) > 0  # the file has decimal numbers (25.5, 19.0) ...
    assert _floats(_data()) == 0  # ... which the loader reads as Decimal
    period = dated_facts("FI")["vat_rate"].period_on(date(2026, 10, 30))
    assert period is not None and period.value == Decimal("25.5")
    assert isinstance(period.value, Decimal)


# -- every period list is well formed ------------------------------------------------------


@pytest.mark.parametrize(("code", "fact", "origin", "periods"), list(_all_facts()), ids=FACT_IDS)
def test_periods_are_ordered_do_not_overlap_and_are_sourced(
    code: str, fact: DatedFact[Any], origin: str, periods: tuple[Period[Any], ...]
) -> None:
    assert periods, f"{code}.{fact.name} has no period"
    for n, period in enumerate(periods):
        assert period.source, f"{code}.{fact.name} period {n} has no source"
        assert all(url.startswith(("http://", "https://")) for url in period.source)
        assert isinstance(period.as_of, date)
        if n:
            assert period.effective_from is not None, "only the first start may be unknown"
        if period.effective_from and period.effective_to:
            assert period.effective_from <= period.effective_to
        if n + 1 < len(periods):
            following = periods[n + 1]
            assert period.effective_to is not None
            assert following.effective_from is not None
            assert period.effective_to < following.effective_from  # no overlap, ordered
        if fact.name == "collection":
            assert period.value is None or isinstance(period.value, Collection)
        elif fact.name == "prices_include_tax":
            assert period.value in (True, False, None)
        else:
            assert period.value is None or isinstance(period.value, Decimal)
    if not origin:
        assert periods[-1].effective_to is None  # the general list runs to today


def test_every_fact_name_is_known() -> None:
    names = {fact.name for _, fact, _, _ in _all_facts()}
    assert names <= set(FACT_NAMES)
    assert names == set(FACT_NAMES)


def test_members_inherit_the_eu_thresholds() -> None:
    eu = dated_facts("EU")
    members = [c for c in markets_with_facts() if _data()["markets"][c]["eu_member"]]
    assert len(members) == 27
    for code in members:
        facts = dated_facts(code)
        for name in ("duty_de_minimis", "tax_de_minimis", "flat_duty_per_tariff_line"):
            assert [(p.value, p.effective_from, p.currency) for p in facts[name].periods] == [
                (p.value, p.effective_from, p.currency) for p in eu[name].periods
            ], f"{code}.{name}"


# -- lookups at every change date ----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "fact", "origin", "last_day", "before", "after"),
    [
        # EU: EUR 150 duty relief until 2026-06-30, none from 2026-07-01 (Reg. (EU) 2026/382).
        ("EU", "duty_de_minimis", None, date(2026, 6, 30), Decimal(150), Decimal(0)),
        ("DE", "duty_de_minimis", None, date(2026, 6, 30), Decimal(150), Decimal(0)),
        ("HU", "duty_de_minimis", None, date(2026, 6, 30), Decimal(150), Decimal(0)),
        # EUR 3 per tariff line from 2026-07-01 to 2028-06-30, then normal tariffs.
        ("FR", "flat_duty_per_tariff_line", None, date(2026, 6, 30), Decimal(0), Decimal(3)),
        ("FR", "flat_duty_per_tariff_line", None, date(2028, 6, 30), Decimal(3), Decimal(0)),
        # EU VAT: EUR 22 exemption until 2021-06-30; IOSS from 2021-07-01.
        ("IT", "tax_de_minimis", None, date(2021, 6, 30), Decimal(22), Decimal(0)),
        # US: USD 800 until 2025-08-28, suspended for all countries from 2025-08-29.
        ("US", "duty_de_minimis", None, date(2025, 8, 28), Decimal(800), Decimal(0)),
        ("US", "tax_de_minimis", None, date(2025, 8, 28), Decimal(800), Decimal(0)),
        # ... but for products of China / Hong Kong already from 2025-05-02 (EO 14256).
        ("US", "duty_de_minimis", "CN", date(2025, 5, 1), Decimal(800), Decimal(0)),
        ("US", "duty_de_minimis", "HK", date(2025, 5, 1), Decimal(800), Decimal(0)),
        ("US", "tax_de_minimis", "CN", date(2025, 5, 1), Decimal(800), Decimal(0)),
        # 2027-07-01 statutory repeal: the value stays 0 (a new period, new legal basis).
        ("US", "duty_de_minimis", None, date(2027, 6, 30), Decimal(0), Decimal(0)),
        # VAT rate changes named in the facts' recent_changes.
        ("FI", "vat_rate", None, date(2024, 8, 31), Decimal(24), Decimal("25.5")),
        ("EE", "vat_rate", None, date(2025, 6, 30), Decimal(22), Decimal(24)),
        ("SK", "vat_rate", None, date(2024, 12, 31), Decimal(20), Decimal(23)),
        ("RO", "vat_rate", None, date(2025, 7, 31), Decimal(19), Decimal(21)),
        # JP: JCT on goods <= JPY 10,000 planned from 2028-04-01.
        ("JP", "tax_de_minimis", None, date(2028, 3, 31), Decimal(10000), Decimal(0)),
        # Other dated changes in the facts' notes.
        ("GB", "tax_de_minimis", None, date(2020, 12, 31), Decimal(15), Decimal(0)),
        ("NO", "tax_de_minimis", None, date(2023, 12, 31), Decimal(350), Decimal(0)),
        ("TH", "duty_de_minimis", None, date(2025, 12, 31), Decimal(1500), Decimal(1)),
        ("TH", "tax_de_minimis", None, date(2024, 7, 4), Decimal(1500), Decimal(1)),
        ("VN", "duty_de_minimis", None, date(2025, 2, 17), Decimal(1000000), Decimal(0)),
        ("CL", "duty_de_minimis", None, date(2025, 10, 24), Decimal(41), Decimal(500)),
        ("CL", "tax_de_minimis", None, date(2025, 10, 24), Decimal(41), Decimal(0)),
        ("TW", "duty_de_minimis", None, date(2017, 12, 31), Decimal(3000), Decimal(2000)),
        ("MY", "tax_de_minimis", None, date(2023, 12, 31), Decimal(500), Decimal(0)),
        ("ZA", "tax_de_minimis", None, date(2024, 8, 31), Decimal(500), Decimal(0)),
        ("AE", "duty_de_minimis", None, date(2023, 2, 28), Decimal(300), Decimal(1000)),
        ("IL", "tax_de_minimis", None, date(2025, 12, 23), Decimal(75), Decimal(150)),
        ("IL", "tax_de_minimis", None, date(2026, 2, 24), None, Decimal(130)),
        ("IT", "parcel_fee", None, date(2026, 3, 11), Decimal(2), None),
    ],
)
def test_lookups_on_both_sides_of_each_change(
    code: str,
    fact: str,
    origin: str | None,
    last_day: date,
    before: Decimal | None,
    after: Decimal | None,
) -> None:
    first_day = last_day + timedelta(days=1)
    assert lookup(code, fact, last_day, origin=origin).value == before
    assert lookup(code, fact, first_day, origin=origin).value == after
    period = lookup(code, fact, first_day, origin=origin).period
    assert period is not None and period.effective_from == first_day


def test_china_exception_ends_when_all_countries_lose_de_minimis() -> None:
    facts = dated_facts("US")["duty_de_minimis"]
    assert facts.origins == ("CN", "HK")
    # After 2025-08-28 the origin periods end and the general period (0 for all) applies.
    general = facts.period_on(date(2025, 9, 1))
    assert facts.period_on(date(2025, 9, 1), origin="CN") == general
    assert general is not None and general.value == 0
    # Other origins never see the China/Hong Kong dates.
    assert lookup("US", "duty_de_minimis", date(2025, 6, 1), origin="MX").value == 800


def test_collection_schemes_start_on_their_dates() -> None:
    ioss = lookup("DE", "collection", date(2021, 7, 1)).value
    assert isinstance(ioss, Collection) and ioss.scheme is not None and "IOSS" in ioss.scheme
    before = lookup("DE", "collection", date(2021, 6, 30))
    assert before.period is None and "first recorded period starts 2021-07-01" in before.reason
    japan_now = lookup("JP", "collection", date(2026, 10, 30)).value
    japan_2028 = lookup("JP", "collection", date(2028, 4, 1)).value
    assert isinstance(japan_now, Collection) and japan_now.scheme is None
    assert isinstance(japan_2028, Collection) and japan_2028.scheme is not None
    swiss_2024 = lookup("CH", "collection", date(2024, 12, 31)).value
    swiss_2025 = lookup("CH", "collection", date(2025, 1, 1)).value
    assert isinstance(swiss_2024, Collection) and swiss_2024.scheme == "Mail-order rule"
    assert isinstance(swiss_2025, Collection) and swiss_2025.scheme != swiss_2024.scheme


def test_before_the_first_period_is_unknown_with_a_reason() -> None:
    found = lookup("US", "duty_de_minimis", date(2016, 3, 9))
    assert found.period is None and found.value is None and not found.known
    assert "no recorded period on 2016-03-09" in found.reason
    assert "2016-03-10" in found.reason
    jp = lookup("JP", "prices_include_tax", date(2021, 3, 31))
    assert jp.value is None and "2021-04-01" in jp.reason
    assert lookup("JP", "prices_include_tax", date(2021, 4, 1)).value is True


def test_unknown_start_is_open_backwards() -> None:
    # effective_from null: in force since a date the facts do not give.
    found = lookup("DE", "vat_rate", date(2000, 1, 1))
    assert found.value == Decimal("19.0") and "unrecorded date" in found.reason


def test_unknown_value_stays_none_never_zero() -> None:
    ch = lookup("CH", "duty_de_minimis", date(2026, 10, 30))
    assert ch.period is not None and ch.value is None and not ch.known
    assert ch.reason.startswith("unknown")
    us_vat = lookup("US", "vat_rate", date(2026, 10, 30))
    assert us_vat.value is None and us_vat.value != 0
    za = lookup("ZA", "duty_de_minimis", date(2026, 10, 30))
    assert za.period is not None and za.value is None
    missing = lookup("DE", "parcel_fee", date(2026, 10, 30))
    assert missing.period is None and "no parcel_fee" in missing.reason
    assert lookup("KE", "vat_rate", date(2026, 10, 30)).value is None


def test_unknown_fact_name_is_an_error() -> None:
    with pytest.raises(KeyError, match="vat_rates"):
        lookup("DE", "vat_rates", date(2026, 10, 30))


def test_unverified_notes_are_kept() -> None:
    assert "prices_displayed_tax_inclusive" in dated_facts("KR")["prices_include_tax"].unverified
    il = dated_facts("IL")["tax_de_minimis"]
    assert any("130" in note for note in il.unverified)
    assert any("IOSS" in note for note in dated_facts("DE")["flat_duty_per_tariff_line"].unverified)
    assert dated_facts("GB").recent_changes[0][0] == "2025-11-26"


def test_changes_lists_the_known_start_dates() -> None:
    assert dated_facts("FI")["vat_rate"].changes() == (date(2024, 9, 1),)
    assert dated_facts("US")["duty_de_minimis"].changes() == (
        date(2016, 3, 10),
        date(2025, 8, 29),
        date(2027, 7, 1),
    )


def test_fi_vat_change_keeps_the_official_source() -> None:
    period = dated_facts("FI")["vat_rate"].period_on(date(2024, 9, 1))
    assert period is not None
    assert any("vero.fi" in url for url in period.source)
    assert "newcraft.dev/vat-rates-eu-countries" in period.source[0]


def test_market_facts_mapping() -> None:
    facts = dated_facts("FR")
    assert list(facts) == [
        "vat_rate",
        "prices_include_tax",
        "duty_de_minimis",
        "flat_duty_per_tariff_line",
        "tax_de_minimis",
        "collection",
        "parcel_fee",
    ]
    assert len(facts) == 7 and "parcel_fee" in facts and facts == dated_facts("FR")
    assert hash(facts) == hash(dated_facts("FR"))
    with pytest.raises(KeyError):
        facts["nope"]
    assert "FR" in repr(facts)
    assert not dated_facts("KE")
