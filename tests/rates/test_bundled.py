"""The ECB snapshot shipped as package data, read only through the public API."""

from __future__ import annotations

import hashlib
import json
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.resources import files

import pytest

from xborder.errors import RateUnavailableError, StaleRatesWarning, UnknownCurrencyError
from xborder.rates import BundledRates, RateSnapshot, bundled
from xborder.testing import FakeClock

LAST = date(2026, 10, 30)
SOURCE = "ECB euro foreign exchange reference rates (bundled snapshot of 2026-10-30)"


class TestSnapshotFacts:
    def test_as_of_and_source(self) -> None:
        rates = bundled()
        assert isinstance(rates, BundledRates)
        assert rates.name == "ecb-bundled"
        assert rates.as_of == LAST
        assert rates.source == SOURCE

    def test_history_covers_more_than_two_years(self) -> None:
        snapshot = bundled().snapshot
        assert isinstance(snapshot, RateSnapshot)
        assert snapshot.first == date(2023, 1, 2)
        assert snapshot.as_of == LAST
        assert len(snapshot) > 2 * 250

    def test_data_is_parsed_once_per_process(self) -> None:
        assert bundled().snapshot is bundled().snapshot

    def test_currencies(self) -> None:
        published = set(bundled().snapshot.rates_on(LAST))
        assert len(published) == 29
        assert {"USD", "JPY", "GBP", "HUF", "ISK", "CHF", "CNY", "ZAR"} <= published
        assert "BGN" not in published
        assert "BGN" in bundled().snapshot.currencies  # published until 2025-12-31

    def test_shipped_files_are_consistent_and_small(self) -> None:
        data = files("xborder.rates").joinpath("data")
        csv_bytes = data.joinpath("eurofxref.csv").read_bytes()
        meta = json.loads(data.joinpath("eurofxref.json").read_text("utf-8"))
        assert bundled().metadata == meta
        assert "eurofxref-hist.zip" in meta["source"]
        assert len(csv_bytes) < 300_000
        assert meta["sha256"] == hashlib.sha256(csv_bytes).hexdigest()
        assert meta["as_of"] == LAST.isoformat()
        assert meta["first"] == "2023-01-02"
        assert meta["rows"] == len(bundled().snapshot)
        assert set(meta["currencies"]) == bundled().snapshot.currencies


class TestPublishedValues:
    """EUR→X is exactly what the ECB published (history CSV text, digit for digit)."""

    @pytest.mark.parametrize(
        ("currency", "text"),
        [
            ("USD", "1.1172"),
            ("JPY", "175.68"),
            ("GBP", "0.8338"),
            ("HUF", "366.33"),
            ("ISK", "136"),
            ("IDR", "20275.17"),
            ("CHF", "0.9194"),
        ],
    )
    def test_eur_to_x_on_2026_10_30(self, currency: str, text: str) -> None:
        rate = bundled().rate("EUR", currency, on=LAST)
        assert str(rate.value) == text
        assert (rate.base, rate.quote, rate.as_of, rate.source) == ("EUR", currency, LAST, SOURCE)

    def test_equal_to_the_daily_file_with_trailing_zeros(self) -> None:
        assert bundled().rate("EUR", "ISK", on=LAST).value == Decimal("136.00")
        assert bundled().rate("EUR", "GBP", on=LAST).value == Decimal("0.83380")

    @pytest.mark.parametrize(
        ("day", "usd", "gbp"),
        [
            (date(2026, 10, 23), "1.1193", "0.83728"),
            (date(2025, 12, 31), "1.175", "0.8726"),
            (date(2024, 4, 3), "1.0783", "0.85713"),
            (date(2023, 1, 2), "1.0683", "0.8863"),
        ],
    )
    def test_other_days(self, day: date, usd: str, gbp: str) -> None:
        assert str(bundled().rate("EUR", "USD", on=day).value) == usd
        assert str(bundled().rate("EUR", "GBP", on=day).value) == gbp

    def test_x_to_eur_is_the_inverse(self) -> None:
        rate = bundled().rate("USD", "EUR", on=LAST)
        assert rate.value == Decimal(1) / Decimal("1.1172")
        assert rate.value == Decimal("0.8950948800572860723236663086")

    def test_cross_rate_is_quote_over_base(self) -> None:
        rate = bundled().rate("USD", "JPY", on=LAST)
        assert rate.value == Decimal("175.68") / Decimal("1.1172")
        assert rate.value == Decimal("157.2502685284640171858216971")
        assert (rate.as_of, rate.source) == (LAST, SOURCE)
        assert bundled().rate("GBP", "HUF", on=LAST).value == Decimal("366.33") / Decimal("0.8338")

    def test_inverse_of_cross(self) -> None:
        there = bundled().rate("USD", "JPY", on=LAST)
        back = bundled().rate("JPY", "USD", on=LAST)
        assert back.value == Decimal("1.1172") / Decimal("175.68")
        assert abs(there.inverse().value - back.value) <= back.value * Decimal("1e-27")

    def test_same_currency(self) -> None:
        rate = bundled().rate("JPY", "JPY", on=LAST)
        assert (rate.value, rate.as_of) == (Decimal(1), LAST)


class TestDates:
    @pytest.mark.parametrize(
        ("asked", "used"),
        [
            (date(2026, 10, 24), date(2026, 10, 23)),  # Saturday
            (date(2026, 10, 25), date(2026, 10, 23)),  # Sunday
            (date(2026, 4, 3), date(2026, 4, 2)),  # Good Friday
            (date(2026, 4, 6), date(2026, 4, 2)),  # Easter Monday
            (date(2026, 4, 7), date(2026, 4, 7)),  # Tuesday after Easter
            (date(2024, 3, 29), date(2024, 3, 28)),  # Good Friday 2024
            (date(2024, 4, 1), date(2024, 3, 28)),  # Easter Monday 2024
            (date(2026, 5, 1), date(2026, 4, 30)),  # 1 May
            (date(2026, 5, 3), date(2026, 4, 30)),  # the Sunday after
            (date(2025, 12, 25), date(2025, 12, 24)),  # Christmas Day
            (date(2025, 12, 26), date(2025, 12, 24)),  # 26 December
            (date(2026, 1, 1), date(2025, 12, 31)),  # New Year's Day
        ],
    )
    def test_closed_days_use_the_last_published_day(self, asked: date, used: date) -> None:
        rate = bundled().rate("EUR", "USD", on=asked)
        assert rate.as_of == used
        assert rate.value == bundled().rate("EUR", "USD", on=used).value

    def test_cross_rate_on_a_weekend(self) -> None:
        rate = bundled().rate("GBP", "JPY", on=date(2026, 10, 24))
        assert rate.as_of == date(2026, 10, 23)
        assert rate.value == Decimal("175.51") / Decimal("0.83728")

    def test_before_the_data(self) -> None:
        with pytest.raises(RateUnavailableError) as info:
            bundled().rate("EUR", "USD", on=date(2022, 12, 30))
        message = str(info.value)
        assert "EUR->USD" in message
        assert "2022-12-30" in message
        assert "2023-01-02" in message
        assert info.value.sources == ("ecb-bundled",)
        assert info.value.on == date(2022, 12, 30)

    def test_on_none_is_today_per_the_clock(self) -> None:
        clock = FakeClock(datetime(2026, 10, 31, 9, 0, tzinfo=UTC))  # a Saturday
        rate = bundled(clock=clock).rate("EUR", "USD")
        assert rate.as_of == LAST

    def test_datetime_refused(self) -> None:
        with pytest.raises(TypeError, match=r"\.date\(\)"):
            bundled().rate("EUR", "USD", on=datetime(2026, 10, 30, tzinfo=UTC))


class TestDroppedCurrencies:
    def test_bgn_until_its_last_day(self) -> None:
        rate = bundled().rate("EUR", "BGN", on=date(2025, 12, 31))
        assert (str(rate.value), rate.as_of) == ("1.9558", date(2025, 12, 31))

    @pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 1, 2), LAST])
    def test_bgn_is_unavailable_after_the_euro_changeover(self, day: date) -> None:
        # 2026-01-01 is a TARGET holiday whose ECB day (2025-12-31) still has BGN: refused
        # anyway, BGN was replaced by the euro that day.
        with pytest.raises(RateUnavailableError, match=r"euro on 2026-01-01.*1\.95583"):
            bundled().rate("BGN", "USD", on=day)

    def test_rub_is_unavailable(self) -> None:
        with pytest.raises(RateUnavailableError, match="suspended"):
            bundled().rate("EUR", "RUB", on=LAST)

    def test_hrk_is_unavailable(self) -> None:
        with pytest.raises(RateUnavailableError, match="Croatia"):
            bundled().rate("HRK", "EUR", on=date(2023, 1, 2))

    def test_currency_the_ecb_does_not_publish(self) -> None:
        with pytest.raises(RateUnavailableError) as info:
            bundled().rate("EUR", "ARS", on=LAST)
        assert "ARS" in str(info.value)
        assert "2026-10-30" in str(info.value)
        assert "ecb-bundled" in str(info.value)

    def test_unknown_code(self) -> None:
        with pytest.raises(UnknownCurrencyError):
            bundled().rate("EUR", "XXY", on=LAST)
        with pytest.raises(UnknownCurrencyError, match="did you mean 'USD'"):
            bundled().rate("usd", "EUR", on=LAST)


class TestStaleness:
    def test_within_max_age_is_silent(self) -> None:
        # 2026-11-04 is 5 days after the snapshot: within the default max_age.
        assert bundled().rate("EUR", "USD", on=date(2026, 11, 4)).as_of == LAST

    def test_past_max_age_warns_with_the_snapshot_date(self) -> None:
        with pytest.warns(StaleRatesWarning, match="2026-10-30") as record:
            rate = bundled().rate("EUR", "USD", on=date(2026, 11, 5))
        assert rate.as_of == LAST
        assert rate.value == Decimal("1.1172")
        assert len(record) == 1
        assert "2026-11-05" in str(record[0].message)
        assert record[0].filename == __file__

    def test_warns_once_per_date_asked_for(self) -> None:
        rates = bundled()

        def a_big_run() -> None:
            for _ in range(1000):
                rates.rate("EUR", "USD", on=date(2027, 1, 15))
                rates.rate("GBP", "JPY", on=date(2027, 1, 15))
                rates.rate("AED", "JPY", on=date(2027, 1, 15))
            rates.rate("EUR", "USD", on=date(2027, 1, 16))

        with pytest.warns(StaleRatesWarning) as record:
            a_big_run()
        assert [str(w.message).count("2027-01-15") for w in record] == [1, 0]
        assert "2027-01-16" in str(record[1].message)

    def test_measured_against_the_date_asked_for(self) -> None:
        # Asking for a past date is not stale even if today is much later.
        clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
        assert bundled(clock=clock).rate("EUR", "USD", on=LAST).as_of == LAST
        with pytest.warns(StaleRatesWarning):
            bundled(clock=clock).rate("EUR", "USD")  # today = 2030-01-01

    def test_max_age_is_configurable_and_can_be_off(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            bundled(max_age=None).rate("EUR", "USD", on=date(2030, 1, 1))
            bundled(max_age=timedelta(days=60)).rate("EUR", "USD", on=date(2026, 12, 1))
        with pytest.warns(StaleRatesWarning):
            bundled(max_age=timedelta(days=0)).rate("EUR", "USD", on=date(2026, 10, 31))

    def test_bad_max_age(self) -> None:
        with pytest.raises(ValueError, match="max_age"):
            bundled(max_age=timedelta(days=-1))
        with pytest.raises(ValueError, match="max_age"):
            bundled(max_age=5)  # type: ignore[arg-type]


def test_cached_results_are_the_same_object() -> None:
    rates = bundled()
    assert rates.rate("USD", "JPY", on=LAST) is rates.rate("USD", "JPY", on=LAST)


def test_pegs_can_be_left_out() -> None:
    assert bundled().rate("EUR", "AED", on=LAST).value == Decimal("1.1172") * Decimal("3.6725")
    with pytest.raises(RateUnavailableError):
        bundled(pegs=False).rate("EUR", "AED", on=LAST)
